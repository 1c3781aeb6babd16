from __future__ import annotations

from pathlib import Path

import pytest

from rubrics_app.loader import RubricSet, rubric_set_load

RUBRICS_DIR = Path(__file__).resolve().parents[2] / "rubrics"


@pytest.fixture(scope="session")
def rubric_set() -> RubricSet:
    return rubric_set_load(RUBRICS_DIR)


@pytest.fixture
def lab_instance(db: None):
    from labs.models import Cluster, Lab, LabInstance

    cluster = Cluster.objects.create(name="c1", api_url="https://api.c1.example.com:6443")
    lab = Lab.objects.create(catalog_item="ocp4-cluster")
    return LabInstance.objects.create(cluster=cluster, namespace="sandbox-abc-lab", lab=lab)
