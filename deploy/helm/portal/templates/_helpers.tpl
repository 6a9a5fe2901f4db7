{{/* The chart's name. */}}
{{- define "portal.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-qualified name, truncated to 63 characters: the DNS label limit of Kubernetes names. */}}
{{- define "portal.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "portal.labels" -}}
app.kubernetes.io/name: {{ include "portal.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "portal.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* Environment shared by every service; the service URLs point at the chart's Services. */}}
{{- define "portal.env" -}}
- name: NATS_URL
  value: {{ .Values.config.natsUrl | quote }}
- name: S3_BUCKET
  value: {{ .Values.config.s3Bucket | quote }}
- name: S3_REGION
  value: {{ .Values.config.s3Region | quote }}
- name: PUBLIC_BASE_URL
  value: {{ .Values.config.publicBaseUrl | quote }}
- name: LOG_LEVEL
  value: {{ .Values.config.logLevel | quote }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .Values.config.otlpEndpoint | quote }}
- name: SHUTDOWN_GRACE_SECONDS
  value: {{ .Values.config.shutdownGraceSeconds | quote }}
- name: IDENTITY_JWKS_URL
  value: http://{{ include "portal.fullname" . }}-identity:8080/.well-known/jwks.json
{{- range $name, $svc := .Values.services }}
- name: {{ upper $name }}_URL
  value: http://{{ include "portal.fullname" $ }}-{{ $name }}:8080
{{- end }}
- name: SAMPLER_URL
  value: http://{{ include "portal.fullname" . }}-sampler:8080
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.secrets.database }}
      key: DATABASE_URL
{{- end -}}
