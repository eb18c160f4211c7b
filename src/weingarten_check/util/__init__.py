"""Util: the ground floor every other floor may use — argument checks and BLAS thread pinning.

Modules
-------
* :mod:`.checks` — one function per kind of argument (ints, choices, dimensions, sites of A, square,
  Hermitian and unitary matrices, exact symbolic arguments), each raising an error that names the
  argument and the expected form.
* :mod:`.blas_threads` — pins the BLAS thread count per sample so that serial, process and Dask sweeps
  give the same bits.
"""

from .blas_threads import BLAS_PIN, SAMPLE_BLAS_THREADS, BlasPin
from .checks import (
    as_sympy_argument,
    check_choice,
    check_hermitian,
    check_int,
    check_local_dim,
    check_nq,
    check_sites,
    check_square,
    check_symbolic_int,
    check_symbolic_nonnegative,
    check_unitary,
    is_int,
)

__all__ = [
    "BLAS_PIN",
    "SAMPLE_BLAS_THREADS",
    "BlasPin",
    "as_sympy_argument",
    "check_choice",
    "check_hermitian",
    "check_int",
    "check_local_dim",
    "check_nq",
    "check_sites",
    "check_square",
    "check_symbolic_int",
    "check_symbolic_nonnegative",
    "check_unitary",
    "is_int",
]
