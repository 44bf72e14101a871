"""Service management (服务管理): tickets (报事) with SLA, routing and escalation (SRV-1)."""
