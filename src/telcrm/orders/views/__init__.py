"""Views of processes (admin: definitions, versions, diagrams, instances) and work orders (queues)."""
