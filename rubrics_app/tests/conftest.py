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


@pytest.fixture
def llm(settings):
    """The simulated LLM endpoint, configured as StarGate's, with fast retries."""
    from simulator.llm import LLMSimulator

    with LLMSimulator(api_key="sim-key") as simulator:
        settings.LLM_API_BASE = simulator.url
        settings.LLM_API_KEY = "sim-key"
        settings.LLM_MODEL = "openai/granite-3.3-8b-instruct"
        settings.LLM_RETRIES = 2
        settings.LLM_RETRY_BACKOFF_SECONDS = 0.01
        settings.LLM_TIMEOUT_SECONDS = 5
        yield simulator


@pytest.fixture(scope="session")
def prompt_set():
    from rubrics_app.prompts import prompt_set_load

    return prompt_set_load(Path(__file__).resolve().parents[2] / "prompts")


@pytest.fixture(autouse=True)
def _promoted_rules_reread():
    """Each test reads the promoted rules its own database holds (the process caches them)."""
    from rubrics_app.registry import scan_rules_clear

    scan_rules_clear()
    yield
    scan_rules_clear()
