"""Text progress bars for the command-line tools (the library calls ``progress(done, total)``)."""

import sys


class ProgressBar:
    """A text progress bar on a stream: redrawn in place on a terminal, else every 10 %.

    Args:
        label: text before the bar.
        stream: where to write (default ``sys.stderr``).
        width: characters of the bar.

    Example:
        >>> import io
        >>> stream = io.StringIO()
        >>> bar = ProgressBar("prepare", stream)
        >>> bar(0, 2); bar(1, 2); bar(2, 2)
        >>> stream.getvalue().splitlines()[-1]
        'prepare: 2/2 [##############################] 100%'
    """

    def __init__(self, label="progress", stream=None, width=30):
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        self._last_decile = -1

    def __call__(self, done, total):
        share = done / total if total else 1.0
        interactive = getattr(self.stream, "isatty", lambda: False)()
        if not interactive and int(share * 10) == self._last_decile and done != total:
            return
        self._last_decile = int(share * 10)
        filled = round(share * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        line = f"{self.label}: {done}/{total} [{bar}] {share:.0%}"
        end = "\n" if done == total or not interactive else ""
        self.stream.write(("\r" if interactive else "") + line + end)
        self.stream.flush()


class StageProgress:
    """``progress(stage, done, total)``: one ``ProgressBar`` per named stage.

    Args:
        stream: where to write (default ``sys.stderr``).
    """

    def __init__(self, stream=None):
        self.stream = stream
        self.bars = {}

    def __call__(self, stage, done, total):
        if stage not in self.bars:
            self.bars[stage] = ProgressBar(stage, self.stream)
        self.bars[stage](done, total)
