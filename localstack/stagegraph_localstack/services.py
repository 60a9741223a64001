"""LocalStack's loaded services, looked up without loading them (used by persistence and service state)."""

from __future__ import annotations


def service_container(name: str):
    """LocalStack's container of a service that is loaded, without loading it."""
    from localstack.services.plugins import SERVICE_PLUGINS, ServiceManager

    return ServiceManager.get_service_container(SERVICE_PLUGINS, name)


def provider_of(name: str):
    """The provider object of a loaded service, or None."""
    container = service_container(name)
    return getattr(container.service, "_provider", None) if container else None
