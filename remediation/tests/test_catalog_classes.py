"""The remediation catalog is UTF-8 and names only failure classes the rubrics define
(rubrics/failure_classes.yaml): anything else is an error naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from remediation.catalog import CatalogFileError, catalog_load

pytestmark = pytest.mark.smoke

CATALOG = Path(settings.REMEDIATIONS_DIR) / "catalog.yaml"


def test_it_rejects_an_unknown_allowed_when_class(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    text = CATALOG.read_text(encoding="utf-8")
    path.write_text(text.replace("allowed_when:\n", "allowed_when:\n  - no-such-class\n", 1))
    unknown = r"allowed_when\[0\]: unknown failure class"
    with pytest.raises(CatalogFileError, match=unknown) as raised:
        catalog_load(path)
    assert raised.value.path == path and "no-such-class" in str(raised.value)
    with pytest.raises(CommandError, match=f"{path}: actions.*no-such-class"):
        call_command("load_catalog", "--check", "--file", str(path))


def test_it_accepts_the_shipped_catalog_against_the_shipped_classes() -> None:
    assert catalog_load(CATALOG).actions


def test_it_names_a_catalog_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_bytes(CATALOG.read_bytes() + "\n# caf\xe9\n".encode("latin-1"))
    with pytest.raises(CommandError, match=f"{path}: not UTF-8"):
        call_command("load_catalog", "--check", "--file", str(path))
