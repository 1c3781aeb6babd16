"""A rubric or failure-class file that is not UTF-8 is a clear error naming the file, never a
raw `UnicodeDecodeError` traceback (here and in `validate_rubrics`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from rubrics_app.loader import RubricFileError, rubric_set_load

pytestmark = pytest.mark.smoke


@pytest.fixture
def rubrics(tmp_path: Path) -> Path:
    folder = tmp_path / "rubrics"
    shutil.copytree(settings.RUBRICS_DIR, folder)
    return folder


@pytest.mark.parametrize("name", ["failure_classes.yaml", "showroom-healthy.yaml"])
def test_it_names_a_file_that_is_not_utf8(rubrics: Path, name: str) -> None:
    path = rubrics / name
    path.write_bytes(path.read_bytes() + "\n# caf\xe9\n".encode("latin-1"))
    with pytest.raises(RubricFileError, match="not UTF-8") as raised:
        rubric_set_load(rubrics)
    assert raised.value.path == path
    with pytest.raises(CommandError, match=f"{path}.*not UTF-8"):
        call_command("validate_rubrics", "--rubrics", str(rubrics))
