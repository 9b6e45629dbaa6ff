"""Unloading archives through SageMaker's `DELETE /models/<name>`: the others keep serving.

It changes what is loaded, so it runs after test_mme_serving.py (files run in name order, and the
`triton` tests after all others).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.triton.clients import invoke, output
from tests.triton.deployment import CUSTOMERS, Deployment

pytestmark = pytest.mark.triton

PUBLISHED = [c for c in CUSTOMERS if c.rewrite]
NOT_RENAMED = [c for c in CUSTOMERS if not c.rewrite]


def test_unloading_archives_leaves_the_others_serving(deployment: Deployment) -> None:
    assert deployment.sagemaker is not None
    gone_published = next(c for c in PUBLISHED if c.task == "autocomplete")
    gone_unrenamed, survivor = NOT_RENAMED

    for customer in (gone_published, gone_unrenamed):
        reply = deployment.sagemaker.unload(customer.model_name_hash, customer.target_model)
        assert reply.status == 200, reply.body

    assert deployment.sagemaker.list().json() == {"models": [{}] * (len(CUSTOMERS) - 2)}
    assert invoke(deployment, gone_published, ["hello world"]).status == 404
    for customer in PUBLISHED:
        if customer is gone_published:
            continue
        if customer.task == "autocomplete":
            assert output(invoke(deployment, customer, ["hello world"]), "COMPLETION") == [
                customer.completion("hello world")
            ]
        else:
            answer = np.array(output(invoke(deployment, customer, ["hello world"]), "EMBEDDING"), dtype=np.float32)
            np.testing.assert_allclose(answer, customer.embedding("hello world"), rtol=1e-6, atol=1e-7)
    # With its twin gone, the archive that kept the shipped names has the only `decoder` again.
    assert output(invoke(deployment, survivor, ["hello world"]), "COMPLETION") == [survivor.completion("hello world")]
