"""The command line ``weingarten-check``: the top floor.

It parses arguments, calls the library (``reporting``, ``experiments``, ``calculus``) and prints the
result; it holds no mathematics and formats no tables (``reporting`` does). Every command accepts
``--json`` for machine-readable output; bad input is reported as one line naming the option, with exit
code 2 and no traceback. The library modules a command needs are imported when it runs, so
``weingarten-check wg`` does not load numpy.

Modules:

* ``main`` — ``main(argv)`` (the console script) and ``build_parser``;
* ``args`` — ``UsageError``, the one-line-error parser and the argument types and checks;
* ``output`` — ``emit``: the result as text, or as strict JSON with ``--json``;
* ``calculus_commands`` — ``wg`` and ``integrate``;
* ``moments_commands`` — ``moments`` (exact second moments of finite-depth and design ensembles);
* ``sweep_commands`` — ``sweep`` and ``figure5``;
* ``verify_commands`` — ``verify`` and ``proofs``.
"""

from .args import (
    FIELD_OPTION,
    OneLineErrorParser,
    UsageError,
    choices,
    dimension,
    int_list,
    n_list,
    positive,
    read_results_file,
    usage_from_value_error,
    writable_dir,
    writable_file,
)
from .calculus_commands import add_calculus_parsers, cmd_integrate, cmd_wg
from .main import build_parser, main
from .moments_commands import add_moments_parsers, cmd_moments, layers_list
from .output import emit
from .sweep_commands import add_sweep_parsers, cmd_figure5, cmd_sweep
from .verify_commands import add_verify_parsers, cmd_proofs, cmd_verify

__all__ = [
    "main",
    "build_parser",
    "UsageError",
    "OneLineErrorParser",
    "FIELD_OPTION",
    "dimension",
    "int_list",
    "choices",
    "n_list",
    "positive",
    "usage_from_value_error",
    "writable_file",
    "writable_dir",
    "read_results_file",
    "emit",
    "add_calculus_parsers",
    "cmd_wg",
    "cmd_integrate",
    "add_sweep_parsers",
    "cmd_sweep",
    "cmd_figure5",
    "add_verify_parsers",
    "cmd_proofs",
    "cmd_verify",
    "add_moments_parsers",
    "cmd_moments",
    "layers_list",
]
