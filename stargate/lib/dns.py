"""DNS names as Kubernetes validates them: the one definition of a label, subdomain and domain."""

from __future__ import annotations

import re

LABEL = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"  # RFC 1123 label: a namespace, a cluster name
DNS_LABEL_RE = re.compile(rf"^{LABEL}$")
DNS_SUBDOMAIN_RE = re.compile(rf"^(?=.{{1,253}}$){LABEL}(\.{LABEL})*$")
DOMAIN_RE = re.compile(rf"^(?=.{{1,253}}$)({LABEL}\.)+[a-z]{{2,63}}$")  # a top-level domain last
DNS_LABEL_MESSAGE = "Must be a DNS label: lowercase letters, digits, '-'."


def is_dns_label(value: object) -> bool:
    return isinstance(value, str) and DNS_LABEL_RE.match(value) is not None


def is_dns_subdomain(value: object) -> bool:
    return isinstance(value, str) and DNS_SUBDOMAIN_RE.match(value) is not None
