"""Cluster side: the pan-cni Helm release, namespace protection and the plugin credential."""
