# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 — A tour of the Weingarten calculus
#
# Haar averages over the unitary group $U(d)$ reduce to the **Weingarten function**
# $$\mathrm{Wg}(\sigma, d) = \frac{1}{k!^2}\sum_{\lambda \vdash k,\ \ell(\lambda)\le d}
#   \frac{\chi_\lambda(1)^2\,\chi_\lambda(\sigma)}{s_\lambda(1^d)} ,$$
# and
# $$\mathbb{E}\Big[\prod_a U_{i_a j_a}\prod_b \overline{U_{i'_b j'_b}}\Big]
#   = \sum_{\sigma,\tau\in S_k} \delta_{i, i'\circ\sigma}\,\delta_{j, j'\circ\tau}\,\mathrm{Wg}(\sigma\tau^{-1}, d).$$
# Everything below is exact (sympy), then checked against Monte-Carlo samples of exact Haar unitaries.

# %%
import numpy as np
import sympy as sp

from weingarten_check.calculus.unitary import gram_matrix, weingarten, weingarten_all_classes, weingarten_matrix
from weingarten_check.calculus.unitary_integrals import haar_integral, trace_moment
from weingarten_check.states.sampling import haar_unitary

d = sp.Symbol("d", positive=True, integer=True)

# %% [markdown]
# ## Exact values
# Every cycle type of $S_3$, as rational functions of a symbolic $d$ (valid for $d \ge k$):

# %%
for mu, value in weingarten_all_classes(3, d).items():
    print(f"Wg({mu}, d) = {sp.factor(value)}")

# %% [markdown]
# For an integer $d < k$ only partitions with at most $d$ rows contribute; the rational function has a
# pole there and must not be used. At $d = 1$, $U$ is a phase and $\mathbb{E}|U|^{2k} = 1$:

# %%
print("Wg((1,1,1), d=1) =", weingarten((1, 1, 1), 1), "  Wg((1,1,1), d=2) =", weingarten((1, 1, 1), 2))
print("E|U|^6 on U(1) =", haar_integral([0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], 1))

# %% [markdown]
# **Orthogonality.** The Weingarten matrix is the inverse of the Gram matrix $G(\sigma,\tau) =
# d^{\#\text{cycles}(\sigma^{-1}\tau)}$:

# %%
k = 3
product = sp.simplify(weingarten_matrix(k, d) * gram_matrix(k, d))
assert product == sp.eye(6)
print("W G = I for S_3, symbolic d")

# %% [markdown]
# ## Monomial integrals
# $\mathbb{E}|U_{11}|^{2k} = 1/\binom{d+k-1}{k}$, and a few mixed ones:

# %%
integrals = {
    "E|U11|^4": ([0, 0], [0, 0], [0, 0], [0, 0]),
    "E|U11|^2 |U22|^2": ([0, 1], [0, 1], [0, 1], [0, 1]),
    "E[U11 U22 conj(U12 U21)]": ([0, 1], [0, 1], [0, 1], [1, 0]),
    "E|U11|^6": ([0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]),
}
exact = {name: sp.factor(haar_integral(*idx, d)) for name, idx in integrals.items()}
for name, value in exact.items():
    print(f"{name:26s} = {value}")
assert sp.simplify(exact["E|U11|^6"] - 1 / sp.binomial(d + 2, 3)) == 0

# %% [markdown]
# ## Products of traces with abstract operators
# The second-moment formula used throughout the proofs (`proofs/DERIVATION.md`, Lemma 1.2), for
# arbitrary (noncommuting) $A, B, X$:

# %%
A, B, X = sp.symbols("A B X", commutative=False)
second = trace_moment([A, B], [X, X], d)
print(sp.simplify(second))

# %% [markdown]
# ## Monte-Carlo check with exact Haar unitaries
# QR of a complex Ginibre matrix with the phase fix (Mezzadri 2007). We compare the sample means with the
# exact values at $d = 3$, using the standard error of each estimate.

# %%
rng = np.random.default_rng(2024)
dim, samples = 3, 20000
U = np.stack([haar_unitary(dim, rng) for _ in range(samples)])
estimates = {
    "E|U11|^4": np.abs(U[:, 0, 0]) ** 4,
    "E|U11|^2 |U22|^2": np.abs(U[:, 0, 0]) ** 2 * np.abs(U[:, 1, 1]) ** 2,
    "E[U11 U22 conj(U12 U21)]": (U[:, 0, 0] * U[:, 1, 1] * np.conj(U[:, 0, 1] * U[:, 1, 0])).real,
    "E|U11|^6": np.abs(U[:, 0, 0]) ** 6,
}
print(f"{'integral':26s} {'exact':>10s} {'Monte Carlo':>12s} {'stderr':>9s} {'z':>6s}")
for name, vals in estimates.items():
    ex = float(exact[name].subs(d, dim))
    mean, se = vals.mean(), vals.std(ddof=1) / np.sqrt(samples)
    z = (mean - ex) / se
    print(f"{name:26s} {ex:10.6f} {mean:12.6f} {se:9.2e} {z:6.2f}")
    assert abs(z) < 5, name  # fixed seed; 5 standard errors
