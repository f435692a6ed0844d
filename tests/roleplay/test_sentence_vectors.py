"""The persona's quick sentence vector is the one sklearn's fitted vectoriser would give, and its quick
similarities are the whole product's."""

from __future__ import annotations

import numpy as np

from bot.roleplay.understanding import _vectorise, _vectorise_one, fact_index, failure_index, trap_index

ODD = ["", "???", "Zzzz qqq", "When did you order it, and what's your postcode?", "ÉTÉ naïve café 😔"]


def test_the_quick_vector_equals_the_library_one_for_every_example_and_odd_input(catalogue):
    checked = 0
    for scenario in catalogue.scenarios.values():
        indexes = [fact_index(scenario)] + [trap_index(t) for t in scenario.traps if t.asked_by]
        examples = [q for f in scenario.facts for q in f.asked_by]
        for index in indexes:
            if not index.fact_ids:
                continue
            for sentence in ODD + examples:
                np.testing.assert_allclose(_vectorise_one(sentence, index.chars),
                                           _vectorise([sentence], index.chars)[0], atol=1e-6)
                checked += 1
    assert checked > 100


def test_the_sparse_similarities_equal_the_whole_product_and_pick_the_same_example(catalogue):
    checked = 0
    for scenario in catalogue.scenarios.values():
        indexes = ([fact_index(scenario)] + [trap_index(t) for t in scenario.traps if t.asked_by]
                   + [failure_index(f) for f in scenario.serious_failures if f.said_by])
        sentences = (ODD + [q for f in scenario.facts for q in f.asked_by]
                     + [line for stage in scenario.stages for line in stage.say])
        for index in indexes:
            if index.chars is None:
                continue
            for sentence in sentences:
                whole = index.vectors @ _vectorise_one(sentence, index.chars)
                quick = index.similarities(sentence, index.chars)
                np.testing.assert_allclose(quick, whole, rtol=0, atol=1e-12)
                assert int(np.argmax(quick)) == int(np.argmax(whole))
                checked += 1
    assert checked > 500
