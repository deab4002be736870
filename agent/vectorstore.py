"""Chroma: the client (embedded or server), our registered embedding function, the collection.

The collection records which embedding model built it (`metadata["embeddings"]`); opening it with
another model raises instead of silently mixing vectors (`kaoda index --rebuild` re-embeds).
"""

from __future__ import annotations

import os
from typing import Any

from agent.config import Settings
from agent.embeddings import get_embedder
from agent.errors import SearchIndexError

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import chromadb
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import register_embedding_function


@register_embedding_function
class KaodaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's view of our embedder; passages on add, `query:` convention on query."""

    def __init__(self, spec: str = "e5-small") -> None:
        self.spec = spec

    def __call__(self, input: Documents) -> Embeddings:
        return list(get_embedder(self.spec).embed_passages(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return [get_embedder(self.spec).embed_query(text) for text in input]

    @staticmethod
    def name() -> str:
        return "kaoda"

    def get_config(self) -> dict[str, Any]:
        return {"spec": self.spec}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> KaodaEmbeddingFunction:
        return KaodaEmbeddingFunction(str(config.get("spec", "e5-small")))

    def default_space(self) -> Any:
        return "cosine"


def make_client(settings: Settings) -> Any:
    """Embedded `PersistentClient` under `$KAODA_HOME/chroma`, or `HttpClient` for `KAODA_CHROMA_URL`."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise SearchIndexError(f"KAODA_CHROMA_URL {settings.chroma_url!r} is not a URL like http://127.0.0.1:8000")
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:  # chromadb raises ValueError/ConnectError/... when the server is away
            raise SearchIndexError(
                f"Chroma server at {settings.chroma_url} is unreachable ({type(exc).__name__}); "
                "start it with `chroma run` or unset KAODA_CHROMA_URL"
            ) from exc
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


def open_collection(client: Any, settings: Settings, create: bool = True) -> Any:
    """The collection, always opened with our embedding function; refuses a model mismatch."""
    function = KaodaEmbeddingFunction(settings.embeddings)
    try:
        if create:
            collection = client.get_or_create_collection(
                settings.collection,
                embedding_function=function,
                metadata={"embeddings": settings.embeddings, "hnsw:space": "cosine"},
            )
        else:
            collection = client.get_collection(settings.collection, embedding_function=function)
    except SearchIndexError:
        raise
    except Exception as exc:
        if not create and "does not exist" in str(exc).lower():
            raise SearchIndexError("the index is empty: run `kaoda index` first") from exc
        raise SearchIndexError(f"cannot open the Chroma collection: {exc}") from exc
    built_with = (collection.metadata or {}).get("embeddings")
    if built_with != settings.embeddings:
        raise SearchIndexError(
            f"the index was built with embeddings {built_with!r}, settings ask for {settings.embeddings!r}; "
            "run `kaoda index --rebuild` to re-embed"
        )
    return collection
