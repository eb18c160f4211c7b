"""States and observables of n sites of local dimension q, never as q^n × q^n matrices.

The floor above the calculus: exact Haar sampling of states, unitaries and isometries; n-site
state vectors acted on gate by gate; observables as sums of local product terms (the paper's
Heisenberg, QAE and QSL Hamiltonians, any q); and the reduced matrices of large states (read
once, in chunks) from which the cost objects K and M of a local unitary are built
(:mod:`weingarten_check.delta.reduction`).  Imports only util/ (no other floor).

Modules
-------
* :mod:`.statevector` — n-site state vectors (batched), gates, diagonal layers, inner products.
* :mod:`.bases` — the Pauli and generalised Gell-Mann matrices, the orthonormal basis ``{G_a}``.
* :mod:`.observables` — :class:`Observable` (term-wise algebra) and the paper's observables.
* :mod:`.sampling` — Haar unitaries, isometries and states; the Ginibre matrix drawn in blocks.
* :mod:`.reduced` — reduced (cross) density matrices in one chunked pass; the chunking plan.
* :mod:`.hamiltonian_gram` — ``<v_x|H|v_y>`` for many large vectors (the sparse engine).
* :mod:`.observable_specs` — observables and states as users write them; Qiskit's qubit order converted once.

The chunk size is ``weingarten_check.states.reduced.CHUNK_ELEMENTS``, read from that module at
call time (the value re-exported here is a copy: set it in :mod:`.reduced`).  The function
``hamiltonian_gram`` is not re-exported: bound here it would hide its module of the same name
(``import weingarten_check.states.hamiltonian_gram as m`` would give the function); import it from
:mod:`.hamiltonian_gram`.

Examples
--------
>>> from weingarten_check.states import heisenberg_ring, zero_state
>>> heisenberg_ring(4).expectation(zero_state(4))   # every edge ferromagnetic: n (2 - 2/q)
4.0
"""

from .bases import PAULI, gell_mann, orthonormal_traceless_basis
from .hamiltonian_gram import chunk_rows, hamiltonian_gram_rows, reduced_gram_fits
from .observable_specs import observable_from_spec, parse_pauli_sum, qubit_sites, state_from_spec
from .observables import (
    Observable,
    heisenberg_ring,
    heisenberg_ring_ground_energy,
    pauli_expansion,
    qae_observable,
    qsl_observable,
    spectral_width,
)
from .reduced import (
    CHUNK_ELEMENTS,
    MAX_REDUCED_DIM,
    check_state_array,
    chunk_plan,
    local_grams,
    qr_r_from_state,
    support_matrix,
    touching_support,
)
from .sampling import (
    RngLike,
    as_rng,
    ginibre,
    ginibre_fill,
    ginibre_r_factor,
    haar_isometry,
    haar_orthogonal,
    haar_real_state,
    haar_state,
    haar_symplectic,
    haar_unitary,
)
from .statevector import (
    apply_diagonal,
    apply_gate,
    apply_local_layer,
    basis_state,
    from_vector,
    inner,
    move_sites_first,
    norm,
    num_batch_axes,
    product_state,
    to_vector,
    zero_state,
)

__all__ = [
    # statevector
    "basis_state",
    "zero_state",
    "product_state",
    "num_batch_axes",
    "apply_gate",
    "apply_diagonal",
    "apply_local_layer",
    "inner",
    "norm",
    "to_vector",
    "from_vector",
    "move_sites_first",
    # bases
    "PAULI",
    "gell_mann",
    "orthonormal_traceless_basis",
    # observables
    "Observable",
    "heisenberg_ring",
    "heisenberg_ring_ground_energy",
    "qae_observable",
    "qsl_observable",
    "spectral_width",
    "pauli_expansion",
    # sampling
    "RngLike",
    "as_rng",
    "ginibre",
    "ginibre_fill",
    "ginibre_r_factor",
    "haar_unitary",
    "haar_isometry",
    "haar_state",
    "haar_orthogonal",
    "haar_symplectic",
    "haar_real_state",
    # reduced
    "CHUNK_ELEMENTS",
    "MAX_REDUCED_DIM",
    "check_state_array",
    "chunk_plan",
    "local_grams",
    "support_matrix",
    "touching_support",
    "qr_r_from_state",
    # hamiltonian_gram (its function hamiltonian_gram: from the module, see above)
    "hamiltonian_gram_rows",
    "chunk_rows",
    "reduced_gram_fits",
    # observable_specs (Qiskit's qubit order at the boundary)
    "qubit_sites",
    "observable_from_spec",
    "parse_pauli_sum",
    "state_from_spec",
]
