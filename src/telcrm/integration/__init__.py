"""Integration (INT-2, INT-3): the event outbox, adapter commands, the dispatcher, adapters to
billing and the network, webhooks and TMF event hubs, and the error queue.

What other modules call (always inside their action's ``transaction.atomic()``):

    events.emit(topic, *, aggregate, payload=None, org_unit=None, actor=None) -> Event
    commands.request(adapter, operation, payload, *, key, on_done=None, aggregate=None,
                     org_unit=None, actor=None) -> Command
    @commands.completion_handler(name)      fn(command, result)   resume after a command
    @events.subscribe(pattern, name)        fn(event)             react to events in-process
    hub.hub_urls(api_code)                  mount a TMF ``/hub`` at an API's basePath

docs/decisions/0013-integration-outbox-and-adapters.md explains the choices.
"""
