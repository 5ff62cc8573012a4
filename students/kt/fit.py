"""Fitting BKT parameters from a log by MAP-EM (Baum-Welch), all concepts at once.

`fit_bkt` runs the EM of a two-state HMM (Baum 1970; Rabiner 1989) for every concept, but
not one concept at a time: the sequences of all (student, concept) pairs are laid out
"time-major" in one flat array, sorted by length so that the sequences still running at
step t are a prefix, and the forward and backward recursions step through time once for
all of them (each sequence indexing its own concept's parameters). A Python loop of
length max(sequence length) per pass, with numpy work proportional to the number of
rows, replaces a loop over students and concepts. Restarts are further copies of the
data with other starting parameters, run side by side for a few iterations; each concept
keeps the restart with the highest log posterior, which alone runs on to convergence.

Observations are graded: score s in [0, 1] and evidence weight w (see `students.kt.bkt`),
with emissions e(known) = [(1-S)^s S^(1-s)]^w and e(unknown) = [G^s (1-G)^(1-s)]^w.
The M-step is then closed-form:

    P(G) = sum gamma_unknown * w * s / sum gamma_unknown * w,   P(S) likewise with gamma_known, 1 - s
    P(T) = sum xi(unknown -> known) / sum gamma_unknown (over steps with a successor)
    P(F) = sum xi(known -> unknown) / sum gamma_known   (only when fitting forgetting)
    P(L0) = mean over sequences of gamma_known at the first step

each as a MAP estimate under a Beta(a, b) prior: (count + a - 1) / (total + a + b - 2).
The prior holds a concept with few answers near typical values; the bounds of
`students.kt.bkt` (G, S < 0.5; everything in [0.001, 0.999]) clip the result.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from students.kt.bkt import MAX_GUESS, MAX_SLIP, P_MAX, P_MIN, BKTParams

PARAMS = ("p_init", "p_learn", "p_guess", "p_slip", "p_forget")


@dataclass(frozen=True)
class BetaPrior:
    """Beta(a, b) on a probability; a, b >= 1 so that the MAP estimate is interior-or-edge."""

    a: float
    b: float

    def __post_init__(self) -> None:
        if self.a < 1.0 or self.b < 1.0:
            raise ValueError(f"A Beta prior here needs a, b >= 1; got a={self.a}, b={self.b}.")

    @property
    def mean(self) -> float:
        return self.a / (self.a + self.b)


@dataclass(frozen=True)
class BKTPrior:
    """Priors of the BKT parameters. The defaults are weak (a few pseudo-answers) and centred
    near values typical of fitted tutoring data (Corbett & Anderson 1995; Baker, Corbett &
    Aleven 2008 report guesses around 0.2 and slips around 0.1)."""

    p_init: BetaPrior = field(default_factory=lambda: BetaPrior(2.0, 2.0))
    p_learn: BetaPrior = field(default_factory=lambda: BetaPrior(1.5, 5.0))
    p_guess: BetaPrior = field(default_factory=lambda: BetaPrior(2.0, 5.0))
    p_slip: BetaPrior = field(default_factory=lambda: BetaPrior(1.5, 6.0))
    p_forget: BetaPrior = field(default_factory=lambda: BetaPrior(1.0, 20.0))


@dataclass(frozen=True)
class BKTFit:
    """The fitted parameters of one concept and what they were fitted on."""

    params: BKTParams
    n_observations: int
    n_sequences: int
    log_likelihood: float
    iterations: int


@dataclass(frozen=True)
class _Layout:
    """Sequences laid out time-major: step t of the sequence of rank r is at offsets[t] + r."""

    n_active: np.ndarray  # sequences still running at step t (a prefix of the ranks)
    offsets: np.ndarray
    flat_of_row: np.ndarray  # flat position of each input row
    seq_concept: np.ndarray  # concept code of each ranked sequence
    flat_concept: np.ndarray
    has_next: np.ndarray  # flat: the sequence goes on after this step
    first: np.ndarray  # flat positions of step 0


def _layout(sequence: np.ndarray, concept_of_sequence: np.ndarray) -> _Layout:
    """`sequence`: the sequence id of each row, rows of a sequence in order (ids 0..n-1)."""
    n_seq = len(concept_of_sequence)
    lengths = np.bincount(sequence, minlength=n_seq)
    rank_of_seq = np.empty(n_seq, dtype=np.int64)
    by_length = np.argsort(-lengths, kind="stable")
    rank_of_seq[by_length] = np.arange(n_seq)
    sorted_lengths = lengths[by_length]
    t_max = int(sorted_lengths[0]) if n_seq else 0
    # n_active[t] = number of sequences longer than t
    n_active = np.searchsorted(-sorted_lengths, -np.arange(t_max), side="left")
    offsets = np.concatenate(([0], np.cumsum(n_active)))
    # step of each row within its sequence
    order = np.argsort(sequence, kind="stable")
    starts = np.concatenate(([0], np.cumsum(lengths)))
    step = np.empty(len(sequence), dtype=np.int64)
    step[order] = np.arange(len(sequence)) - starts[sequence[order]]
    rank = rank_of_seq[sequence]
    flat_of_row = offsets[step] + rank
    seq_concept = concept_of_sequence[by_length]
    flat_rank = np.concatenate([np.arange(n) for n in n_active]) if t_max else np.zeros(0, np.int64)
    flat_step = np.repeat(np.arange(t_max), n_active)
    has_next = sorted_lengths[flat_rank] > flat_step + 1
    return _Layout(
        n_active=n_active.astype(np.int64),
        offsets=offsets.astype(np.int64),
        flat_of_row=flat_of_row,
        seq_concept=seq_concept,
        flat_concept=seq_concept[flat_rank],
        has_next=has_next,
        first=np.arange(int(n_active[0])) if t_max else np.zeros(0, np.int64),
    )


def _forward(layout: _Layout, p0, learn, forget, e_known, e_unknown):
    """Scaled forward pass: predictive P(L) before each step, filtered P(L) after it, and
    the normaliser c_t = P(observation t | earlier ones)."""
    n_flat = len(e_known)
    predictive = np.empty(n_flat)
    filtered = np.empty(n_flat)
    norm = np.empty(n_flat)
    p = p0.copy()
    for t, n in enumerate(layout.n_active):
        lo = layout.offsets[t]
        sl = slice(lo, lo + n)
        pt = p[:n]
        known = pt * e_known[sl]
        c = known + (1.0 - pt) * e_unknown[sl]
        f = known / c
        predictive[sl] = pt
        filtered[sl] = f
        norm[sl] = c
        p[:n] = f * (1.0 - forget[:n]) + (1.0 - f) * learn[:n]
    return predictive, filtered, norm


def _backward(layout: _Layout, learn, forget, e_known, e_unknown, filtered, norm):
    """Scaled backward pass: posterior gamma(known) per step and the expected transition
    counts xi(u->k), xi(u->u), xi(k->u), xi(k->k) at each step with a successor."""
    n_flat = len(e_known)
    gamma = filtered.copy()  # at each sequence's last step the posterior is the filtered one
    xi_uk = np.zeros(n_flat)
    xi_uu = np.zeros(n_flat)
    xi_ku = np.zeros(n_flat)
    xi_kk = np.zeros(n_flat)
    n_seq = int(layout.n_active[0]) if len(layout.n_active) else 0
    beta_k = np.ones(n_seq)
    beta_u = np.ones(n_seq)
    t_max = len(layout.n_active)
    for t in range(t_max - 2, -1, -1):
        n1 = layout.n_active[t + 1]
        nxt = slice(layout.offsets[t + 1], layout.offsets[t + 1] + n1)
        cur = slice(layout.offsets[t], layout.offsets[t] + n1)
        bk = e_known[nxt] * beta_k[:n1] / norm[nxt]
        bu = e_unknown[nxt] * beta_u[:n1] / norm[nxt]
        lt, ft = learn[:n1], forget[:n1]
        f = filtered[cur]
        xi_uk[cur] = (1.0 - f) * lt * bk
        xi_uu[cur] = (1.0 - f) * (1.0 - lt) * bu
        xi_ku[cur] = f * ft * bu
        xi_kk[cur] = f * (1.0 - ft) * bk
        beta_k[:n1] = (1.0 - ft) * bk + ft * bu
        beta_u[:n1] = lt * bk + (1.0 - lt) * bu
        gamma[cur] = f * beta_k[:n1]
    return gamma, xi_uk, xi_uu, xi_ku, xi_kk


def _map(success: np.ndarray, total: np.ndarray, prior: BetaPrior, lo: float, hi: float) -> np.ndarray:
    denominator = total + prior.a + prior.b - 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = (success + prior.a - 1.0) / denominator
    # no data and a flat prior: keep the prior mean rather than 0/0
    return np.clip(np.where(denominator > 0, estimate, prior.mean), lo, hi)


def _log_prior(values: np.ndarray, prior: BetaPrior) -> np.ndarray:
    return (prior.a - 1.0) * np.log(values) + (prior.b - 1.0) * np.log1p(-values)


def _initial_params(n_concepts: int, restarts: int, seed: int) -> dict[str, np.ndarray]:
    """Restart 0 starts at textbook values; the others at seeded random points."""
    rng = np.random.default_rng(seed)
    starts = {
        "p_init": [np.full(n_concepts, 0.4)],
        "p_learn": [np.full(n_concepts, 0.1)],
        "p_guess": [np.full(n_concepts, 0.2)],
        "p_slip": [np.full(n_concepts, 0.1)],
        "p_forget": [np.full(n_concepts, 0.01)],
    }
    ranges = {
        "p_init": (0.1, 0.9),
        "p_learn": (0.02, 0.4),
        "p_guess": (0.05, 0.4),
        "p_slip": (0.03, 0.3),
        "p_forget": (0.001, 0.05),
    }
    for _ in range(restarts - 1):
        for name, (lo, hi) in ranges.items():
            starts[name].append(rng.uniform(lo, hi, n_concepts))
    return {name: np.concatenate(values) for name, values in starts.items()}


@dataclass(frozen=True, eq=False)
class _Problem:
    """Rows laid out for EM, possibly as several copies (one per restart)."""

    layout: _Layout
    score: np.ndarray  # flat
    weight: np.ndarray  # flat
    n_params: int  # concepts x copies


def _problem(
    seq: np.ndarray, concept_of_seq: np.ndarray, score, weight, n_concepts: int, copies: int
) -> _Problem:
    n_seq = len(concept_of_seq)
    layout = _layout(
        np.concatenate([seq + r * n_seq for r in range(copies)]),
        np.concatenate([concept_of_seq + r * n_concepts for r in range(copies)]),
    )
    flat_s = np.empty(len(seq) * copies)
    flat_w = np.empty(len(seq) * copies)
    flat_s[layout.flat_of_row] = np.tile(score, copies)
    flat_w[layout.flat_of_row] = np.tile(weight, copies)
    return _Problem(layout, flat_s, flat_w, n_concepts * copies)


def _em(
    problem: _Problem,
    theta: dict[str, np.ndarray],
    prior: BKTPrior,
    fit_forget: bool,
    max_iter: int,
    tol: float,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, int]:
    """EM iterations from `theta`: (parameters, log-likelihood, log-posterior per parameter
    set, iterations). Stops when the total log posterior gains less than `tol` nats per row."""
    layout, flat_s, flat_w, k_all = problem.layout, problem.score, problem.weight, problem.n_params
    fk, sk = layout.flat_concept, layout.seq_concept
    n_rows = max(len(flat_s), 1)
    n_seqs = np.bincount(sk, minlength=k_all).astype(np.float64)

    def counts(values: np.ndarray) -> np.ndarray:
        return np.bincount(fk, weights=values, minlength=k_all)

    def log_posterior(values: dict[str, np.ndarray], log_lik: np.ndarray) -> np.ndarray:
        total = log_lik.copy()
        for name in PARAMS:
            if name != "p_forget" or fit_forget:
                total += _log_prior(values[name], getattr(prior, name))
        return total

    previous = -np.inf
    log_lik = np.zeros(k_all)
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - reported after the loop
        guess, slip = theta["p_guess"][fk], theta["p_slip"][fk]
        e_known = np.exp(flat_w * (flat_s * np.log1p(-slip) + (1.0 - flat_s) * np.log(slip)))
        e_unknown = np.exp(flat_w * (flat_s * np.log(guess) + (1.0 - flat_s) * np.log1p(-guess)))
        learn, forget = theta["p_learn"][sk], theta["p_forget"][sk]
        _, filtered, norm = _forward(layout, theta["p_init"][sk], learn, forget, e_known, e_unknown)
        # the log likelihood of the parameters this E-step used
        log_lik = counts(np.log(norm))
        current = float(log_posterior(theta, log_lik).sum())
        if current - previous < tol * n_rows:
            break
        previous = current
        gamma, xi_uk, xi_uu, xi_ku, xi_kk = _backward(
            layout, learn, forget, e_known, e_unknown, filtered, norm
        )
        unknown = 1.0 - gamma
        theta = {
            "p_init": _map(
                np.bincount(sk, weights=gamma[layout.first], minlength=k_all),
                n_seqs,
                prior.p_init,
                P_MIN,
                P_MAX,
            ),
            "p_learn": _map(counts(xi_uk), counts(xi_uk + xi_uu), prior.p_learn, P_MIN, P_MAX),
            "p_guess": _map(
                counts(unknown * flat_w * flat_s), counts(unknown * flat_w), prior.p_guess, P_MIN, MAX_GUESS
            ),
            "p_slip": _map(
                counts(gamma * flat_w * (1.0 - flat_s)), counts(gamma * flat_w), prior.p_slip, P_MIN, MAX_SLIP
            ),
            "p_forget": (
                _map(counts(xi_ku), counts(xi_ku + xi_kk), prior.p_forget, P_MIN, P_MAX)
                if fit_forget
                else theta["p_forget"]
            ),
        }
    return theta, log_lik, log_posterior(theta, log_lik), iterations


def fit_bkt_arrays(
    concept: np.ndarray,
    sequence: np.ndarray,
    score: np.ndarray,
    weight: np.ndarray | None = None,
    *,
    n_concepts: int | None = None,
    prior: BKTPrior | None = None,
    fit_forget: bool = False,
    restarts: int = 3,
    restart_iter: int = 10,
    max_iter: int = 200,
    tol: float = 1e-6,
    seed: int = 0,
) -> list[BKTFit]:
    """Fit BKT for concepts 0..n_concepts-1 from rows given as arrays.

    `sequence[i]` identifies the (student, concept) sequence of row i, whose rows must
    appear in order (any order between sequences); `concept[i]` is its concept. Returns
    one `BKTFit` per concept code; a concept without rows gets the prior's mode.

    Restarts: `restarts` starting points per concept run `restart_iter` EM iterations side by
    side; each concept keeps the one with the highest log posterior, which EM then runs
    to convergence (gain in log posterior below `tol` nats per row) or `max_iter`.
    """
    prior = prior or BKTPrior()
    concept = np.asarray(concept, dtype=np.int64)
    score = np.asarray(score, dtype=np.float64)
    weight = np.ones_like(score) if weight is None else np.asarray(weight, dtype=np.float64)
    n_concepts = int(concept.max()) + 1 if n_concepts is None else n_concepts
    if len(concept) == 0:
        return [_prior_fit(prior, fit_forget) for _ in range(n_concepts)]
    seq_ids, seq = np.unique(np.asarray(sequence), return_inverse=True)
    concept_of_seq = np.zeros(len(seq_ids), dtype=np.int64)
    concept_of_seq[seq] = concept

    theta = _initial_params(n_concepts, restarts, seed)
    if not fit_forget:
        theta["p_forget"] = np.zeros(n_concepts * restarts)
    iterations = 0
    if restarts > 1:
        copies = _problem(seq, concept_of_seq, score, weight, n_concepts, restarts)
        theta, _, log_post, iterations = _em(copies, theta, prior, fit_forget, restart_iter, 0.0)
        best = np.argmax(log_post.reshape(restarts, n_concepts), axis=0)
        pick = best * n_concepts + np.arange(n_concepts)
        theta = {name: values[pick] for name, values in theta.items()}
    single = _problem(seq, concept_of_seq, score, weight, n_concepts, 1)
    theta, log_lik, _, more = _em(single, theta, prior, fit_forget, max_iter, tol)
    iterations += more

    n_obs = np.bincount(concept, minlength=n_concepts)
    n_seqs = np.bincount(concept_of_seq, minlength=n_concepts)
    fits = []
    for k in range(n_concepts):
        if n_obs[k] == 0:
            fits.append(_prior_fit(prior, fit_forget))
            continue
        fits.append(
            BKTFit(
                params=BKTParams(**{name: float(theta[name][k]) for name in PARAMS}),
                n_observations=int(n_obs[k]),
                n_sequences=int(n_seqs[k]),
                log_likelihood=float(log_lik[k]),
                iterations=iterations,
            )
        )
    return fits


def _prior_fit(prior: BKTPrior, fit_forget: bool) -> BKTFit:
    def mode(p: BetaPrior, lo: float, hi: float) -> float:
        total = p.a + p.b - 2.0
        return float(np.clip((p.a - 1.0) / total if total > 0 else p.mean, lo, hi))

    return BKTFit(
        params=BKTParams(
            p_init=mode(prior.p_init, P_MIN, P_MAX),
            p_learn=mode(prior.p_learn, P_MIN, P_MAX),
            p_guess=mode(prior.p_guess, P_MIN, MAX_GUESS),
            p_slip=mode(prior.p_slip, P_MIN, MAX_SLIP),
            p_forget=mode(prior.p_forget, P_MIN, P_MAX) if fit_forget else 0.0,
        ),
        n_observations=0,
        n_sequences=0,
        log_likelihood=0.0,
        iterations=0,
    )


Observation = float | tuple[float, float]


def fit_bkt(
    sequences: Mapping[Hashable, Iterable[Sequence[Observation]]],
    *,
    prior: BKTPrior | None = None,
    fit_forget: bool = False,
    restarts: int = 3,
    max_iter: int = 200,
    tol: float = 1e-6,
    seed: int = 0,
) -> dict[Hashable, BKTFit]:
    """Fit BKT per concept from `{concept: [one student's observations in order, ...]}`.

    An observation is a score in [0, 1] or a (score, weight) pair. All concepts are fitted
    in one vectorised EM (see the module docstring); the result maps each concept to its fit.
    """
    concepts = list(sequences)
    concept_col: list[int] = []
    seq_col: list[int] = []
    score_col: list[float] = []
    weight_col: list[float] = []
    n_seq = 0
    for k, c in enumerate(concepts):
        for one in sequences[c]:
            for obs in one:
                s, w = (obs, 1.0) if isinstance(obs, int | float) else obs
                if not (0.0 <= s <= 1.0 and 0.0 <= w <= 1.0) or math.isnan(s) or math.isnan(w):
                    raise ValueError(
                        f"Concept {c!r}: observation {obs!r} is not a score (and weight) in [0, 1]."
                    )
                concept_col.append(k)
                seq_col.append(n_seq)
                score_col.append(float(s))
                weight_col.append(float(w))
            n_seq += 1
    fits = fit_bkt_arrays(
        np.array(concept_col, dtype=np.int64),
        np.array(seq_col, dtype=np.int64),
        np.array(score_col),
        np.array(weight_col),
        n_concepts=len(concepts),
        prior=prior,
        fit_forget=fit_forget,
        restarts=restarts,
        max_iter=max_iter,
        tol=tol,
        seed=seed,
    )
    return dict(zip(concepts, fits, strict=True))


def filtered_predictions(
    concept: np.ndarray,
    sequence: np.ndarray,
    score: np.ndarray,
    weight: np.ndarray,
    params: Sequence[BKTParams],
) -> np.ndarray:
    """Per row, BKT's P(correct) from the earlier rows of its sequence (a forward pass).

    Equal to replaying `students.kt.bkt.update` row by row; vectorised for fitting."""
    concept = np.asarray(concept, dtype=np.int64)
    if len(concept) == 0:
        return np.zeros(0)
    _, seq = np.unique(np.asarray(sequence), return_inverse=True)
    n_seq = int(seq.max()) + 1
    concept_of_seq = np.zeros(n_seq, dtype=np.int64)
    concept_of_seq[seq] = concept
    layout = _layout(seq, concept_of_seq)
    table = {name: np.array([getattr(p, name) for p in params]) for name in PARAMS}
    fk, sk = layout.flat_concept, layout.seq_concept
    flat_s = np.empty(len(seq))
    flat_w = np.empty(len(seq))
    flat_s[layout.flat_of_row] = score
    flat_w[layout.flat_of_row] = weight
    guess, slip = table["p_guess"][fk], table["p_slip"][fk]
    e_known = np.exp(flat_w * (flat_s * np.log1p(-slip) + (1.0 - flat_s) * np.log(slip)))
    e_unknown = np.exp(flat_w * (flat_s * np.log(guess) + (1.0 - flat_s) * np.log1p(-guess)))
    predictive, _, _ = _forward(
        layout, table["p_init"][sk], table["p_learn"][sk], table["p_forget"][sk], e_known, e_unknown
    )
    p_known = predictive[layout.flat_of_row]
    return p_known * (1.0 - table["p_slip"][concept]) + (1.0 - p_known) * table["p_guess"][concept]
