"""Exact Weingarten calculus of the unitary group: the bottom floor of the package (above util/).

Everything here is exact (integers, ``Fraction``, sympy rationals and rational functions of a
symbolic dimension d) and imports nothing from the other floors: the characters of S_k, the
Weingarten function ``Wg(σ, d)`` of U(d), and the Haar moment integrals built from it (entry
moments, trace moments of abstract operators, the k-fold twirl) on which the lemmas of
``proofs/DERIVATION.md`` rest.  Every entry point estimates its combinatorial work first and
refuses what is out of reach.

Modules
-------
* :mod:`.symmetric_group` — partitions, cycle types, class sizes, irreducible characters of S_k.
* :mod:`.unitary` — the Weingarten function of U(d) (integer or symbolic d), Gram and Weingarten matrices.
* :mod:`.unitary_integrals` — Haar integrals: entry moments, trace moments, the twirl.
* :mod:`.limits` — work estimates and :class:`WorkLimitError`.
* :mod:`.brauer` — O(d) and Sp(d): pairings, coset types, zonal spherical functions, their Weingarten
  functions (one mechanism for both groups, ``weingarten_group`` also dispatching U).
* :mod:`.brauer_integrals` — Haar integrals over O(d) and Sp(d): monomials, trace moments, the twirl.

Examples
--------
>>> from weingarten_check.calculus import weingarten_unitary
>>> weingarten_unitary((1, 1), 3)
1/8
"""

from .brauer import (
    GROUPS,
    MAX_PAIRING_ORDER,
    check_group,
    check_group_dimension,
    check_pairing_order,
    clear_brauer_caches,
    coset_representative,
    coset_type,
    coset_type_of_pairings,
    loops,
    pairing_gram_matrix,
    pairing_sign,
    pairing_weingarten_matrix,
    pairings,
    weingarten_group,
    weingarten_group_all,
    weingarten_orthogonal,
    weingarten_symplectic,
    weingarten_value,
    zonal_spherical_function,
)
from .brauer_integrals import (
    MAX_PAIRING_PAIRS,
    brauer_operator,
    haar_integral_group,
    haar_integral_orthogonal,
    haar_integral_symplectic,
    trace_moment_orthogonal,
    trace_moment_orthogonal_numeric,
    transpose_symbol,
    twirl_orthogonal,
)
from .limits import (
    MAX_COSET_ELEMENTS,
    MAX_PARTITIONS,
    MAX_PERMUTATION_PAIRS,
    MAX_TERMS_INTEGER,
    MAX_TERMS_SYMBOLIC,
    WorkLimitError,
    check_class_terms,
    check_coset_elements,
    check_partitions,
    check_permutation_pairs,
    partition_count,
)
from .symmetric_group import (
    Partition,
    Perm,
    as_partition,
    as_permutation,
    centralizer_order,
    character,
    character_table,
    class_size,
    compose,
    contents,
    cycle_type,
    cycles,
    dimension,
    hook_product,
    identity,
    inverse,
    murnaghan_nakayama,
    partitions,
)
from .unitary import (
    check_dimension,
    clear_caches,
    cycle_type_of,
    gram_matrix,
    weingarten,
    weingarten_all_classes,
    weingarten_class,
    weingarten_class_fraction,
    weingarten_matrix,
    weingarten_polynomial_data,
    weingarten_unitary,
)
from .unitary_integrals import Tr, haar_integral, permutation_operator, trace_moment, trace_moment_numeric, twirl

__all__ = [
    # symmetric_group
    "Partition",
    "Perm",
    "as_permutation",
    "as_partition",
    "partitions",
    "cycle_type",
    "cycles",
    "compose",
    "inverse",
    "identity",
    "centralizer_order",
    "class_size",
    "character",
    "character_table",
    "dimension",
    "hook_product",
    "contents",
    "murnaghan_nakayama",
    # unitary (its clear_caches also clears those of symmetric_group)
    "weingarten_unitary",
    "weingarten",
    "cycle_type_of",
    "weingarten_class_fraction",
    "weingarten_class",
    "weingarten_all_classes",
    "weingarten_polynomial_data",
    "gram_matrix",
    "weingarten_matrix",
    "check_dimension",
    "clear_caches",
    # unitary_integrals
    "Tr",
    "haar_integral",
    "trace_moment",
    "trace_moment_numeric",
    "twirl",
    "permutation_operator",
    # limits
    "WorkLimitError",
    "partition_count",
    "check_partitions",
    "check_class_terms",
    "check_permutation_pairs",
    "check_coset_elements",
    "MAX_PARTITIONS",
    "MAX_TERMS_SYMBOLIC",
    "MAX_TERMS_INTEGER",
    "MAX_PERMUTATION_PAIRS",
    "MAX_COSET_ELEMENTS",
    # brauer
    "GROUPS",
    "MAX_PAIRING_ORDER",
    "check_group",
    "check_group_dimension",
    "check_pairing_order",
    "clear_brauer_caches",
    "coset_representative",
    "coset_type",
    "coset_type_of_pairings",
    "loops",
    "pairing_gram_matrix",
    "pairing_sign",
    "pairing_weingarten_matrix",
    "pairings",
    "weingarten_group",
    "weingarten_group_all",
    "weingarten_orthogonal",
    "weingarten_symplectic",
    "weingarten_value",
    "zonal_spherical_function",
    # brauer_integrals
    "MAX_PAIRING_PAIRS",
    "brauer_operator",
    "haar_integral_group",
    "haar_integral_orthogonal",
    "haar_integral_symplectic",
    "trace_moment_orthogonal",
    "trace_moment_orthogonal_numeric",
    "transpose_symbol",
    "twirl_orthogonal",
]
