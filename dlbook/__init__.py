"""dlbook: the book's own library.

- dlbook.units      the table of units (numbers, slugs, titles, courses)
- dlbook.sliders    slider figures that respond in JupyterLab and in the static book
- dlbook.plot       one plotting style
- dlbook.data       seeded data generators (no downloads)
- dlbook.gradcheck  numerical gradient checking
- topic modules     from-scratch building blocks written once and reused by later chapters
"""
import inspect


def show_source(obj):
    """Display the source of a dlbook function or class as a highlighted code block.

    Chapters use it to show the implementation that lives in dlbook instead of retyping it.
    """
    from IPython.display import Markdown
    module = inspect.getmodule(obj).__name__
    return Markdown(f"`{module}.{obj.__qualname__}`, from `{module.replace('.', '/')}.py`:\n\n"
                    f"```python\n{inspect.getsource(obj).rstrip()}\n```")
