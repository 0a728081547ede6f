"""Per-staff state as numpy arrays (one slot per person in post), updated vectorised.

A slot is taken on hiring and freed on leaving; ``generation`` counts how often a
slot has been reused so that a pending life-cycle process (a sickness episode, a
notice period) never acts on the next occupant.
"""

from __future__ import annotations

import numpy as np

RN, HCA = 0, 1   # roles: registered nurse, healthcare assistant


class Workforce:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.active = np.zeros(capacity, dtype=bool)       # in post
        self.sick = np.zeros(capacity, dtype=bool)         # off sick today
        self.resigned = np.zeros(capacity, dtype=bool)     # serving notice
        self.team = np.zeros(capacity, dtype=np.int64)
        self.role = np.zeros(capacity, dtype=np.int64)
        self.fte = np.zeros(capacity)
        self.age = np.zeros(capacity)                      # years
        self.tenure = np.zeros(capacity)                   # years in post
        self.experience0 = np.zeros(capacity)              # experience on joining, 0-1
        self.exhaustion = np.zeros(capacity)
        self.engagement = np.zeros(capacity)
        self.susceptibility = np.ones(capacity)            # individual stress multiplier
        self.peer_u = np.ones(capacity)                    # attends peer support if < share
        self.development_u = np.ones(capacity)             # has leadership development if < share
        self.generation = np.zeros(capacity, dtype=np.int64)
        self._free = list(range(capacity - 1, -1, -1))     # pop() gives the lowest slot

    def take_slot(self) -> int:
        if not self._free:
            self._grow()
        return self._free.pop()

    def free_slot(self, i: int) -> None:
        self.active[i] = self.sick[i] = self.resigned[i] = False
        self.generation[i] += 1
        self._free.append(i)

    def _grow(self) -> None:
        """Double capacity (only when an establishment uplift outgrows the arrays)."""
        old = self.capacity
        for name, value in list(vars(self).items()):
            if isinstance(value, np.ndarray):
                fill = 1.0 if name in ("susceptibility", "peer_u", "development_u") else 0
                setattr(self, name, np.concatenate([value, np.full(old, fill, dtype=value.dtype)]))
        self.capacity = 2 * old
        self._free = list(range(self.capacity - 1, old - 1, -1))

    def experience(self, experience_years: float) -> np.ndarray:
        """Experience grows toward 1 with tenure (novice to expert)."""
        return 1.0 - (1.0 - self.experience0) * np.exp(-self.tenure / experience_years)
