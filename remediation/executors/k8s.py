"""A kubernetes ApiClient built from a Cluster row's connection fields."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from kubernetes import client, config

from remediation.executors.base import ClusterAccess


def api_client(cluster: ClusterAccess) -> client.ApiClient:
    if cluster.kubeconfig_path:
        configuration = client.Configuration()
        config.load_kube_config(
            config_file=cluster.kubeconfig_path, client_configuration=configuration
        )
    else:
        configuration = client.Configuration()
        configuration.host = cluster.api_url
        if cluster.token_file:
            token = Path(cluster.token_file).read_text().strip()
            configuration.api_key = {"authorization": f"Bearer {token}"}
        if cluster.ca_bundle_path:
            configuration.ssl_ca_cert = cluster.ca_bundle_path
    configuration.verify_ssl = cluster.verify_tls and settings.SSL_VERIFY
    configuration.retries = 0
    return client.ApiClient(configuration)


def request_timeout() -> tuple[int, int]:
    return (settings.K8S_CONNECT_TIMEOUT, settings.K8S_READ_TIMEOUT)
