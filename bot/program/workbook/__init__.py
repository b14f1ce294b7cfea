"""The program as an Excel workbook: written for organizers, read back through the loader.

`workbook_bytes(program)` and `template_bytes()` write it; `read_workbook(data, filename)`
reads one (safely: see read.py) into the same `Program` the YAML loader gives.
"""

from bot.program.workbook.read import read_workbook
from bot.program.workbook.write import Translate, template_bytes, workbook_bytes

__all__ = ["Translate", "read_workbook", "template_bytes", "workbook_bytes"]
