"""Unit tier: the random streams (named, buffered, one generator per use)."""

from __future__ import annotations

import itertools

import numpy as np

from sim.streams import BLOCK, PatientDraws, Streams, block_draws


def test_block_draws_give_the_numbers_of_one_call_per_draw() -> None:
    n = 3 * BLOCK + 7                                    # across block boundaries
    for draw in ("random", "standard_exponential", "standard_normal"):
        one_by_one = np.random.default_rng(11)
        expected = [float(getattr(one_by_one, draw)()) for _ in range(n)]
        buffered = block_draws(getattr(np.random.default_rng(11), draw))
        assert list(itertools.islice(buffered, n)) == expected, draw


def test_a_teams_stays_do_not_depend_on_its_thinning() -> None:
    # Two teams' draws from the same seed: one consumes many thinning uniforms first.
    a = PatientDraws.spawn(np.random.SeedSequence([5, 0]))
    b = PatientDraws.spawn(np.random.SeedSequence([5, 0]))
    list(itertools.islice(b.acceptance, 1000))
    list(itertools.islice(b.gaps, 999))
    assert list(itertools.islice(a.stays, 50)) == list(itertools.islice(b.stays, 50))


def test_streams_are_the_same_for_the_same_replication_and_differ_between_replications() -> None:
    first, again, other = Streams(7, 0, 3), Streams(7, 0, 3), Streams(7, 1, 3)
    assert first.sickness.random() == again.sickness.random()
    assert first.sickness.random() != other.sickness.random()
    assert next(first.admissions_by_team[2].gaps) == next(again.admissions_by_team[2].gaps)
    assert next(first.admissions_by_team[0].gaps) != next(first.admissions_by_team[1].gaps)
