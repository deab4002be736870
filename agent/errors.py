"""The error hierarchy: raised inside, turned into one line and an exit code at the edges."""


class KaodaError(Exception):
    """Base of every error a user can fix; the message says how."""

    exit_code = 1


class ConfigError(KaodaError):
    """A setting is missing or invalid."""

    exit_code = 2


class CorpusError(KaodaError):
    """A corpus file is malformed: the message names the path, the field and what was expected."""

    exit_code = 2


class InputError(KaodaError):
    """Bad user input (an answer file, a company slug, an export path)."""

    exit_code = 2


class NotFoundError(KaodaError):
    """A transcript, company or corpus id that does not exist."""

    exit_code = 2


class EndpointError(KaodaError):
    """The LLM or embeddings endpoint failed or is unreachable."""


class SearchIndexError(KaodaError):
    """The search index is missing, stale, or its store is unreachable."""


class StoreError(KaodaError):
    """The transcript database failed."""
