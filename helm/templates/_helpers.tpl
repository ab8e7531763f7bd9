{{/*
Shared helpers of the ai-runtime-security (pan-cni) chart.
*/}}

{{/* Labels every object carries. */}}
{{- define "pan-cni.labels" -}}
app.kubernetes.io/name: pan-cni
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: prisma-airs
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{/*
Labels of the pan-cni pods: only stable ones, so that a chart upgrade alone does not roll
the DaemonSet (each pod's preStop hook unchains pan-cni from its node while it restarts).
*/}}
{{- define "pan-cni.podLabels" -}}
app.kubernetes.io/name: pan-cni
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: prisma-airs
{{- end -}}

{{/* Host directory holding the CNI binaries. */}}
{{- define "pan-cni.cniBinDir" -}}
{{- if eq .Values.platform "gke" -}}
/home/kubernetes/bin
{{- else if eq .Values.platform "openshift" -}}
/var/lib/cni/bin
{{- else -}}
/opt/cni/bin
{{- end -}}
{{- end -}}

{{/* Host directory holding the CNI configuration (Multus' directory on OpenShift). */}}
{{- define "pan-cni.cniNetDir" -}}
{{- if eq .Values.platform "openshift" -}}
/etc/cni/multus/net.d
{{- else -}}
/etc/cni/net.d
{{- end -}}
{{- end -}}

{{/* True when at least one endpoint names a zone. */}}
{{- define "pan-cni.zoned" -}}
{{- range .Values.endpoints -}}
{{- if .zone -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{/*
A namespaced paloaltonetworks.com/v1 CRD whose spec is one required string (PortInfo,
SubnetInfo), kept on uninstall so that the objects users created survive it. Arguments (a
dict): root (the chart context), kind, plural, field, and optionally pattern.
*/}}
{{- define "pan-cni.stringCrd" -}}
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {{ .plural }}.paloaltonetworks.com
  labels:
    {{- include "pan-cni.labels" .root | nindent 4 }}
  annotations:
    helm.sh/resource-policy: keep
spec:
  group: paloaltonetworks.com
  scope: Namespaced
  names:
    kind: {{ .kind }}
    listKind: {{ .kind }}List
    plural: {{ .plural }}
    singular: {{ .field }}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [{{ .field | quote }}]
              properties:
                {{ .field }}:
                  type: string
                  {{- with .pattern }}
                  pattern: {{ . | squote }}
                  {{- end }}
{{- end -}}
