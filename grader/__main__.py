"""Command line of the grader: python -m grader COMMAND ...

  exercises [--check]   regenerate exercises/ from solutions/ (--check: only report what is stale)
  grade PATH... [--unit NN] [--device cpu|cuda|all] [--jobs N] [--timeout S] [--memory MB]
        [--json FILE] [--csv FILE] [--seed N]
                        score submissions in isolated workers (python -m grader grade --help)
"""
import sys


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "exercises":
        from .notebooks import main as exercises_main
        return exercises_main(rest)
    if command == "grade":
        from .grade import main as grade_main
        return grade_main(rest)
    print(f"python -m grader: unknown command {command!r}\n\n{__doc__.strip()}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
