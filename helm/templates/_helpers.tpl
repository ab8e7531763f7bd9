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
