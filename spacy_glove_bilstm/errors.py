"""Coded error messages, in spaCy's style: what failed, the offending value, the fix.

Access through the class (``Errors.E001``) and the code is prefixed: ``"[E001] ..."``.
Codes are grouped by module so that parallel work never collides:
E001-E099 core layers and architectures, E100-E199 reading vector files and the vectors CLI,
E200-E299 loggers and plots, E300-E399 data conversion and the project workflow.
"""


class ErrorsWithCodes(type):
    def __getattribute__(self, code: str) -> str:
        msg = super().__getattribute__(code)
        if code.startswith("__"):
            return msg
        return f"[{code}] {msg}"


class Errors(metaclass=ErrorsWithCodes):
    # --- core: layers, architectures, components (E001-E099) ---

    # --- vector files and the vectors CLI (E100-E199) ---

    # --- loggers and plots (E200-E299) ---

    # --- data conversion and the project workflow (E300-E399) ---
    pass
