{{- define "stargate.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "stargate.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "stargate.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "stargate.secretName" -}}
{{- if .Values.secret.existingSecret -}}{{ .Values.secret.existingSecret }}{{- else -}}{{ include "stargate.fullname" . }}{{- end -}}
{{- end -}}

{{- define "stargate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}{{ default (include "stargate.fullname" .) .Values.serviceAccount.name }}{{- else -}}{{ default "default" .Values.serviceAccount.name }}{{- end -}}
{{- end -}}

{{/* Environment shared by the web, worker and migration containers. */}}
{{- define "stargate.env" -}}
env:
- name: STARGATE_MODE
  value: production
# The root filesystem is read-only: generated files go to the pod's scratch volume.
- name: STARGATE_DATA_DIR
  value: /tmp/stargate
- name: PYTHONDONTWRITEBYTECODE
  value: "1"
- name: STARGATE_WORKERS
  value: {{ .Values.worker.processes | quote }}
{{- if .Values.oauthProxy.enabled }}
- name: STARGATE_TRUSTED_PROXY_IPS
  value: "127.0.0.1"
{{- end }}
{{- if .Values.metrics.enabled }}
- name: STARGATE_METRICS_TOKEN_FILE
  value: /etc/stargate/metrics/token
{{- end }}
envFrom:
- configMapRef:
    name: {{ include "stargate.fullname" . }}
- secretRef:
    name: {{ include "stargate.secretName" . }}
{{- end -}}

{{/* OpenShift restricted-v2: any UID (no runAsUser: the SCC assigns one from the namespace's
range), no privilege escalation, no capabilities, the runtime's seccomp profile, and a read-only
root filesystem (scratch space is the `tmp` emptyDir). */}}
{{- define "stargate.securityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "stargate.podSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{- define "stargate.volumeMounts" -}}
volumeMounts:
- name: tmp
  mountPath: /tmp
{{- if .Values.metrics.enabled }}
- name: metrics-token
  mountPath: /etc/stargate/metrics
  readOnly: true
{{- end }}
{{- if .Values.clusterCredentials.secretName }}
- name: cluster-credentials
  mountPath: {{ .Values.clusterCredentials.mountPath }}
  readOnly: true
{{- end }}
{{- end -}}

{{/* The volumes of every StarGate pod; the web pod adds the proxy's own. */}}
{{- define "stargate.volumeList" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- if .Values.metrics.enabled }}
- name: metrics-token
  secret:
    secretName: {{ required "metrics.tokenSecret.name is required when metrics are enabled" .Values.metrics.tokenSecret.name }}
    items:
    - key: {{ .Values.metrics.tokenSecret.key }}
      path: token
{{- end }}
{{- if .Values.clusterCredentials.secretName }}
- name: cluster-credentials
  secret:
    secretName: {{ .Values.clusterCredentials.secretName }}
{{- end }}
{{- end -}}

{{/* The oauth-proxy's subject access review: the values' list, or by default `get` on this
release's Service in its namespace (namespace viewers and up). Every review must pass. */}}
{{- define "stargate.oauthProxySar" -}}
{{- if .Values.oauthProxy.sar -}}
{{- toJson .Values.oauthProxy.sar -}}
{{- else -}}
{{- toJson (list (dict "namespace" .Release.Namespace "resource" "services" "resourceName" (include "stargate.fullname" .) "verb" "get")) -}}
{{- end -}}
{{- end -}}

{{/* The port clients reach the web pod on: the proxy's when it is in front. */}}
{{- define "stargate.webPort" -}}
{{- if .Values.oauthProxy.enabled }}proxy{{ else }}http{{ end -}}
{{- end -}}

{{/* The PromQL selector of this release's scrape targets (the ServiceMonitor's job is the
Service's name). */}}
{{- define "stargate.metricsSelector" -}}
job="{{ include "stargate.fullname" . }}",namespace="{{ .Release.Namespace }}"
{{- end -}}
