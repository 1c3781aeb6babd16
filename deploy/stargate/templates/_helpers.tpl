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
- name: STARGATE_WORKERS
  value: {{ .Values.worker.processes | quote }}
{{- if .Values.oauthProxy.enabled }}
- name: STARGATE_TRUSTED_PROXY_IPS
  value: "127.0.0.1"
{{- end }}
envFrom:
- configMapRef:
    name: {{ include "stargate.fullname" . }}
- secretRef:
    name: {{ include "stargate.secretName" . }}
{{- end -}}

{{/* OpenShift restricted-v2: any UID, no privilege escalation, no capabilities. */}}
{{- define "stargate.securityContext" -}}
allowPrivilegeEscalation: false
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "stargate.volumeMounts" -}}
{{- if .Values.clusterCredentials.secretName }}
volumeMounts:
- name: cluster-credentials
  mountPath: {{ .Values.clusterCredentials.mountPath }}
  readOnly: true
{{- end }}
{{- end -}}

{{- define "stargate.volumes" -}}
{{- if .Values.clusterCredentials.secretName }}
volumes:
- name: cluster-credentials
  secret:
    secretName: {{ .Values.clusterCredentials.secretName }}
{{- end }}
{{- end -}}
