"""Unit tier: the random streams (named, buffered, one generator per use)."""

from __future__ import annotations

import numpy as np

from sim.streams import BLOCK, DECISIONS, DecisionStream, PatientDraws, Streams, decision_seed


def test_patient_draws_in_blocks_give_the_numbers_of_one_call_per_draw() -> None:
    n = 3 * BLOCK + 7                                    # across block boundaries
    blocks = PatientDraws.spawn(np.random.SeedSequence([11, 0]))
    one_by_one = PatientDraws.spawn(np.random.SeedSequence([11, 0]))
    for use, draw in enumerate(("standard_exponential", "random", "standard_normal")):
        generator = getattr(one_by_one, PatientDraws.USES[use])
        expected = [float(getattr(generator, draw)()) for _ in range(n)]
        buffered = np.concatenate([blocks.draw(use) for _ in range(3)] + [blocks.draw(use, 7)])
        assert buffered.tolist() == expected, draw


def test_a_teams_stays_do_not_depend_on_its_thinning() -> None:
    # Two teams' draws from the same seed: one consumes many thinning uniforms first.
    a = PatientDraws.spawn(np.random.SeedSequence([5, 0]))
    b = PatientDraws.spawn(np.random.SeedSequence([5, 0]))
    b.draw(1, 1000)
    b.draw(0, 999)
    assert a.draw(2, 50).tolist() == b.draw(2, 50).tolist()


def test_streams_are_the_same_for_the_same_replication_and_differ_between_replications() -> None:
    first, again, other = Streams(7, 0, 3), Streams(7, 0, 3), Streams(7, 1, 3)
    assert first.sickness.uniforms(5, 10).tolist() == again.sickness.uniforms(5, 10).tolist()
    assert first.sickness.uniforms(5, 10).tolist() != other.sickness.uniforms(5, 10).tolist()
    assert first.sickness.uniforms(5, 10).tolist() != first.leaving.uniforms(5, 10).tolist()
    assert first.admissions_by_team[2].draw(0, 1) == again.admissions_by_team[2].draw(0, 1)
    assert first.admissions_by_team[0].draw(0, 1) != first.admissions_by_team[1].draw(0, 1)


def test_a_decisions_numbers_depend_only_on_day_key_and_slot() -> None:
    a, b = Streams(7, 0, 3).leaving, Streams(7, 0, 3).leaving
    day_40 = a.uniforms(40, 100).copy()
    # b reads other days and keys first, and a longer array: slot i still gets the same number
    b.uniforms(3, 5000)
    b.at(40, 9).random(77)
    assert b.uniforms(40, 300)[:100].tolist() == day_40.tolist()
    assert b.uniforms(40, 50).tolist() == day_40[:50].tolist()
    assert a.uniforms(41, 100).tolist() != day_40.tolist()
    # a key is a position of its own, whatever was read before
    assert a.at(12, 3).random(4).tolist() == b.at(12, 3).random(4).tolist()
    assert a.at(12, 3).random(4).tolist() != a.at(12, 4).random(4).tolist()
    assert np.allclose(a.normals(8, 20), b.normals(8, 60)[:20])


def test_a_decisions_stream_is_keyed_by_its_name_not_its_position() -> None:
    by_name = DecisionStream(decision_seed(7, 0, "sickness"))
    assert by_name.uniforms(2, 5).tolist() == Streams(7, 0, 1).sickness.uniforms(2, 5).tolist()
    assert "sickness" in DECISIONS


def test_warm_up_days_have_their_own_positions_and_output_days_keep_theirs() -> None:
    """Warm-up days are negative (``warmup_years``): each has a position of its own, distinct
    from every output day's, and an output day's numbers do not depend on the warm-up."""
    s = DecisionStream(decision_seed(1, 0, "sickness"))
    firsts = {d: s.at(d).random() for d in (-730, -2, -1, 0, 1, 730)}
    assert len(set(firsts.values())) == len(firsts)
    fresh = DecisionStream(decision_seed(1, 0, "sickness"))
    np.testing.assert_array_equal(fresh.uniforms(-1, 5), DecisionStream(decision_seed(1, 0, "sickness")).at(-1).random(5))
    assert fresh.uniforms(0, 5)[0] == firsts[0]          # the cache follows the day, negative or not


def test_the_day_of_a_warm_up_daily_review_is_negative() -> None:
    from sim.config import load_config
    from sim.model import Model

    m = Model(load_config(["organisation=small", "organisation.n_teams=1", "years=1", "warmup_years=1"]), 0)
    m.env.run(until=-0.25)                # day -1's review ran at t = -0.5: floor, not int (which gives 0)
    assert m.day == -1
    m.env.run(until=0.75)                 # output day 0's review at t = 0.5
    assert m.day == 0
