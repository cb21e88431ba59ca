"""Minimum-cost perfect matching from candidate pairs, certified against all pairs.

For n rows, n columns and costs c_ij, a perfect matching sigma with duals u, v such
that every reduced cost c_ij - u_i - v_j >= -tolerance, the matched ones 0, costs at
most n * tolerance more than any other perfect matching (LP duality): it is optimal
for the full (dense) problem, though only candidate pairs were ever costed.

certified_matching:
1. a first matching on the candidates: scipy's sparse Jonker-Volgenant solver
   (min_weight_full_bipartite_matching) on the costs rounded to integers, or a given
   near-optimal one;
2. the optimum on the candidates and its duals: shortest-path potentials of the
   columns in the exchange graph (arc sigma(i) -> j of weight c_ij - c_i,sigma(i) for
   each candidate (i, j)) by label-correcting Bellman-Ford, the matching rotated
   along every negative cycle met;
3. the certificate for all other pairs: a lower bound on the costs of row i's other
   pairs proves them where it reaches u_i + max(v); the other rows are searched for
   pairs with c_ij - u_i - v_j < -tolerance, which join the candidates (back to 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

RELATIVE_TOLERANCE = 1e-12
"""Reduced-cost tolerance as a fraction of the largest candidate cost (covers rounding)."""

COST_LEVELS = 2**30
"""Integer cost levels for scipy's sparse Jonker-Volgenant solver: its sums stay exact
in float64 below 2^23 rows."""

SWEEP_ROUNDS = 4
"""Bellman-Ford rounds between sweeps of the predecessor forest (see _potentials)."""


@dataclass(frozen=True, eq=False)
class Candidates:
    """Candidate pairs of an n x n assignment problem, padded per row.

    columns : (n, w) column of each candidate pair; 0 in the padding.
    costs : (n, w) cost of each candidate pair; +inf in the padding.
    """

    columns: np.ndarray
    costs: np.ndarray

    @classmethod
    def from_pairs(cls, n, rows, columns, costs) -> Candidates:
        """Candidates from pairs (rows, columns, costs) listed once each."""
        order = np.argsort(rows, kind="stable")
        rows, columns, costs = rows[order], columns[order], costs[order]
        counts = np.bincount(rows, minlength=n)
        slots = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
        padded_columns = np.zeros((n, max(counts.max(initial=0), 1)), dtype=np.int64)
        padded_costs = np.full(padded_columns.shape, np.inf)
        padded_columns[rows, slots] = columns
        padded_costs[rows, slots] = costs
        return cls(padded_columns, padded_costs)

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, costs) of all candidate pairs."""
        rows, slots = np.nonzero(np.isfinite(self.costs))
        return rows, self.columns[rows, slots], self.costs[rows, slots]

    def with_pairs(self, rows, columns, costs) -> Candidates:
        """These candidates and the new pairs (not yet candidates)."""
        old_rows, old_columns, old_costs = self.pairs()
        return Candidates.from_pairs(len(self.columns), np.concatenate([old_rows, rows]),
                                     np.concatenate([old_columns, columns]),
                                     np.concatenate([old_costs, costs]))

    def slots_of(self, columns) -> np.ndarray:
        """Position of columns[i] among row i's candidates; ValueError if absent."""
        found = (self.columns == np.asarray(columns)[:, None]) & np.isfinite(self.costs)
        if not found.any(axis=1).all():
            raise ValueError("a matched pair is not among the candidates")
        return np.argmax(found, axis=1)


@dataclass(frozen=True, eq=False)
class Matching:
    """Perfect matching with duals that certify it optimal for all pairs.

    columns : (n,) column matched to each row.
    row_duals, column_duals : (n,) u and v (cost units): c_ij - u_i - v_j >= -tolerance
        for every pair, 0 on matched pairs.
    tolerance : reduced-cost tolerance (cost units): RELATIVE_TOLERANCE of the largest
        candidate cost, or the duals' largest violation on the candidates if larger
        (rounding). The matching costs at most n * tolerance more than the optimum.
    candidates : the pairs costed: those given and the violating pairs added.
    widenings : times violating pairs were added to the candidates.
    """

    columns: np.ndarray
    row_duals: np.ndarray
    column_duals: np.ndarray
    tolerance: float
    candidates: Candidates
    widenings: int

    @property
    def lower_bound(self) -> float:
        """LP dual bound (cost units): sum(u) + sum(v) - n * tolerance, below the cost
        of every perfect matching; this one's cost exceeds it by n * tolerance."""
        n = len(self.columns)
        return float(self.row_duals.sum() + self.column_duals.sum() - n * self.tolerance)


PairSearch = Callable[[np.ndarray, np.ndarray, np.ndarray],
                      tuple[np.ndarray, np.ndarray, np.ndarray]]


def certified_matching(candidates: Candidates, bounds, search: PairSearch, start,
                       improve=False) -> Matching:
    """Minimum-cost perfect matching, certified for all n^2 pairs.

    Parameters
    ----------
    candidates : Candidates
        Pairs costed up front; they must contain the perfect matching `start`.
    bounds : (n,) lower bound on the cost of every pair of row i outside the candidates.
    search : callable
        search(rows, row_duals, column_duals) -> (rows, columns, costs): every pair
        (i, j) of the given rows with c_ij < row_duals_i + column_duals_j, and
        possibly more (row_duals of the given rows, column_duals of all columns).
    start : (n,) a perfect matching among the candidates (column of each row).
    improve : bool
        Improve `start` (when close to optimal) instead of solving afresh.

    Returns
    -------
    Matching
    """
    bounds = np.asarray(bounds, dtype=float)
    start, potentials, widenings = np.asarray(start), None, 0
    while True:
        tolerance = RELATIVE_TOLERANCE * _largest_cost(candidates)
        if not improve:
            start = _sparse_optimum(candidates)
        columns, column_duals = _potentials(candidates, start, potentials, tolerance)
        row_duals = _matched_costs(candidates, columns) - column_duals[columns]
        reduced = candidates.costs - row_duals[:, None] - column_duals[candidates.columns]
        matching = Matching(columns, row_duals, column_duals, max(tolerance, -reduced.min()),
                            candidates, widenings)
        rows, pair_columns, costs = _violating_pairs(matching, bounds, search)
        if rows.size == 0:
            return matching
        candidates = candidates.with_pairs(rows, pair_columns, costs)
        start, potentials, improve, widenings = columns, column_duals, True, widenings + 1


def distinct(values) -> np.ndarray:
    """Sorted distinct values of an integer array (np.unique, hash-based for integers
    in NumPy 2, is many times slower)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if ordered.size else ordered


def _largest_cost(candidates: Candidates) -> float:
    """Largest finite candidate cost in magnitude (1 if all are 0)."""
    finite = candidates.costs[np.isfinite(candidates.costs)]
    return float(np.abs(finite).max(initial=0.0)) or 1.0


def _matched_costs(candidates: Candidates, columns) -> np.ndarray:
    """Cost of each row's matched pair."""
    return candidates.costs[np.arange(len(columns)), candidates.slots_of(columns)]


def _sparse_optimum(candidates: Candidates) -> np.ndarray:
    """Optimal perfect matching on the candidates (column of each row), by LAPJVsp, for
    the costs rounded to integers 1 ... COST_LEVELS + 1.

    Integers keep its arithmetic exact (nearly tied floating-point costs can stall it)
    and nonzero (scipy drops zero weights); the rounding changes any matching's cost
    by at most n/2 levels, which _potentials then corrects with the true costs.
    """
    rows, columns, costs = candidates.pairs()
    span = np.ptp(costs) or 1.0
    levels = np.round((costs - costs.min()) * (COST_LEVELS / span)) + 1.0
    n = len(candidates.columns)
    graph = csr_array((levels, (rows, columns)), shape=(n, n))
    matched_rows, matched_columns = min_weight_full_bipartite_matching(graph)
    matching = np.empty(n, dtype=np.int64)
    matching[matched_rows] = matched_columns
    return matching


def _potentials(candidates: Candidates, start, initial, tolerance):
    """Optimal matching on the candidates from `start`, and its column potentials.

    Label-correcting Bellman-Ford in the exchange graph over columns: potentials d
    (from `initial`, else 0) are lowered along arcs sigma(i) -> j of weight
    c_ij - c_i,sigma(i) until d_j <= d_sigma(i) + weight + tolerance on every arc.
    Rounds relax the arcs out of columns whose potential dropped; every SWEEP_ROUNDS
    rounds the predecessor forest pushes each drop down to all its descendants
    (shortest paths are deep) and shows its cycles. Along a predecessor arc
    d_j >= d_parent + weight holds (d_parent only drops after d_j is set), and the
    arc that closed a cycle lowered d_j by more than the tolerance, so every cycle is
    negative: it is rotated, which lowers the cost, so the loop ends, with d feasible.

    Returns the matching (column of each row) and the potentials d (cost units).
    """
    n = len(candidates.columns)
    exchange = _ExchangeGraph(candidates, candidates.slots_of(start))
    d = np.zeros(n) if initial is None else np.array(initial, dtype=float)
    predecessor = np.full(n, -1)
    predecessor_slot = np.zeros(n, dtype=np.int64)
    active = np.arange(n)
    rounds = 0
    while active.size:
        tails, heads, slots, lowered = exchange.lowering_arcs(active, d, tolerance)
        d[heads], predecessor[heads], predecessor_slot[heads] = lowered, tails, slots
        active, rounds = heads, rounds + 1
        if rounds % SWEEP_ROUNDS == 0:
            weights = exchange.arc_weights(predecessor, predecessor_slot)
            swept, on_cycle = _forest_sweep(predecessor, weights, d)
            pushed = swept < d - tolerance
            np.minimum(d, swept, out=d)
            cycle = np.flatnonzero(on_cycle)
            exchange.rotate(predecessor[cycle], cycle, predecessor_slot[cycle])
            predecessor[(predecessor >= 0) & on_cycle[predecessor]] = -1
            pushed[active] = True
            active = np.flatnonzero(pushed | on_cycle)
    return exchange.matching(), d


class _ExchangeGraph:
    """Exchange graph of a perfect matching on the candidates: for each candidate
    (i, j) an arc sigma(i) -> j (row i moves to column j, whose row must move on)
    of weight c_ij - c_i,sigma(i). Holds the matching as each row's candidate slot.
    """

    def __init__(self, candidates: Candidates, slots):
        rows = np.arange(len(slots))
        self.candidates = candidates
        self.slots = np.array(slots)
        self.owner = np.empty(len(slots), dtype=np.int64)
        self.owner[candidates.columns[rows, self.slots]] = rows
        self.matched = candidates.costs[rows, self.slots]

    def lowering_arcs(self, tails, d, tolerance):
        """Best arc out of `tails` into each column whose potential d it lowers by more
        than the tolerance: (tails, heads, slots of the heads in their rows, new d)."""
        rows = self.owner[tails]
        lowered = d[tails, None] + (self.candidates.costs[rows] - self.matched[rows, None])
        heads = self.candidates.columns[rows]
        index, slot = np.nonzero(lowered < d[heads] - tolerance)
        head, value = heads[index, slot], lowered[index, slot]
        order = np.lexsort((value, head))
        best = order[_run_starts(head[order])]
        return tails[index[best]], head[best], slot[best], value[best]

    def rotate(self, tails, heads, slots):
        """Move the row of each tail column to its head column, at candidate `slots`
        of its row (the arcs form disjoint cycles, so the matching stays perfect)."""
        movers = self.owner[tails]
        self.slots[movers] = slots
        self.owner[heads] = movers
        self.matched[movers] = self.candidates.costs[movers, slots]

    def arc_weights(self, tails, slots) -> np.ndarray:
        """Weight of the arc out of each tail column at candidate `slots` of its row
        (0 where the tail is -1)."""
        rows = self.owner[tails]
        return np.where(tails < 0, 0.0, self.candidates.costs[rows, slots] - self.matched[rows])

    def matching(self) -> np.ndarray:
        """Column matched to each row."""
        return self.candidates.columns[np.arange(len(self.slots)), self.slots]


def _run_starts(keys) -> np.ndarray:
    """Mask of the first element of each run of equal sorted keys."""
    starts = np.ones(len(keys), dtype=bool)
    starts[1:] = keys[1:] != keys[:-1]
    return starts


def _forest_sweep(predecessor, weights, d):
    """Potentials pushed down the predecessor forest, and a mask of its cycles' nodes.

    predecessor : (n,) parent of each node, -1 for roots; weights : (n,) weight of the
    arc from the parent. Pointer doubling gives each node its ancestor 2^t steps up
    (a root is its own) and the weight of the path to it; after 2^b > n steps a node
    has reached its root r, for the potential d_r + path weight (inf where no root is
    reached), or a cycle, which is completed by following predecessors.
    """
    n = len(predecessor)
    root = predecessor < 0
    ancestor = np.where(root, np.arange(n), predecessor)
    path = np.where(root, 0.0, weights)
    for _ in range(n.bit_length()):
        path = path + path[ancestor]
        ancestor = ancestor[ancestor]
    reached = root[ancestor]
    swept = np.where(reached, d[ancestor] + path, np.inf)
    on_cycle = np.zeros(n, dtype=bool)
    frontier = ancestor[~reached]
    while frontier.size:
        on_cycle[frontier] = True
        frontier = predecessor[frontier]
        frontier = frontier[~on_cycle[frontier]]
    return swept, on_cycle


def _violating_pairs(matching: Matching, bounds, search: PairSearch):
    """Pairs outside the candidates with reduced cost below -tolerance: (rows, columns,
    costs). Row i is searched only where its bound does not prove c_ij >= u_i + max(v)."""
    u, v = matching.row_duals, matching.column_duals
    rows = np.flatnonzero(u + v.max() > bounds)
    if rows.size == 0:
        return rows, rows, np.empty(0)
    rows, columns, costs = search(rows, u[rows] - matching.tolerance, v)
    violating = costs - u[rows] - v[columns] < -matching.tolerance
    return rows[violating], columns[violating], costs[violating]
