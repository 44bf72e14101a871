"""The built-in simulators of billing and the network (the default; the demo and the tests use them).

They behave like the real systems where it matters to telcrm: each idempotency key is applied once
(a repeated key answers the stored result and changes nothing), business rules refuse what the real
system would refuse (opening an account that is open, resuming a removed line…) with a
:class:`PermanentError`, and every answer is deterministic — derived from the arguments, never from
the clock or chance. Failures can be injected per operation with the parameter
``integration.simulator_faults`` (``{"network.activate_line": 2}``: each key fails twice, then works;
``-1``: always fails; ``"reject"``: refused).

What they applied is in their own tables (models/simulator.py): ``SimulatedCall`` per key with how
often it arrived, ``SimulatedResource`` for the accounts, lines and ports the calls built up.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from telcrm.platform.parameters import param

from ..models import SimulatedCall, SimulatedResource
from ..parameters import SIMULATOR_FAULTS
from .base import BillingAdapter, NetworkAdapter, PermanentError, RetryableError


def _digits(text: str, n: int) -> str:
    """``n`` decimal digits derived from ``text`` (deterministic)."""
    h = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    return str(h % 10**n).zfill(n)


class _Simulator:
    system = ""

    def _run(self, operation: str, key: str, request: dict, apply) -> dict:
        """Apply ``apply()`` once per key: the first call applies and stores the answer, later calls
        with the same key answer it again. An injected or business failure raises after the
        counters are saved (outside the transaction that saved them)."""
        failure = None
        with transaction.atomic():
            call, _created = SimulatedCall.objects.select_for_update().get_or_create(
                adapter=self.system, key=key, defaults={"operation": operation, "request": request}
            )
            if call.operation != operation:
                raise PermanentError(
                    f"key {key} was used for {call.operation}, not {operation}", code="key_reused"
                )
            call.received += 1
            if not call.applied:
                fault = (param(SIMULATOR_FAULTS) or {}).get(f"{self.system}.{operation}")
                if fault == "reject":
                    call.error = "rejected (injected)"
                    failure = PermanentError(
                        "simulated refusal (integration.simulator_faults)", code="rejected"
                    )
                elif (
                    isinstance(fault, int)
                    and not isinstance(fault, bool)
                    and (fault < 0 or call.failures < fault)
                ):
                    call.failures += 1
                    failure = RetryableError(
                        f"simulated outage {call.failures} (integration.simulator_faults)",
                        code="simulated_outage",
                    )
                else:
                    try:
                        with transaction.atomic():
                            response = apply()
                    except PermanentError as exc:
                        call.error = str(exc)[:200]
                        failure = exc
                    else:
                        call.applied, call.response, call.applied_at, call.error = (
                            True,
                            response,
                            timezone.now(),
                            "",
                        )
            call.save()
        if failure is not None:
            raise failure
        return call.response

    def _resource(self, kind: str, ref: str, default: dict) -> SimulatedResource:
        row, _created = SimulatedResource.objects.select_for_update().get_or_create(
            adapter=self.system, kind=kind, ref=ref, defaults={"state": default}
        )
        return row

    @staticmethod
    def _save(row: SimulatedResource, **changes) -> dict:
        row.state = {**row.state, **changes}
        row.save(update_fields=["state", "updated_at"])
        return row.state


class SimulatedBilling(_Simulator, BillingAdapter):
    system = "billing"

    def _account(self, account_no: str, *, must_be_open: bool = True) -> SimulatedResource:
        # An account billing has not heard of yet (one of the demo's) is taken as open.
        row = self._resource("account", account_no, {"status": "open", "plans": {}, "addons": {}})
        if must_be_open and row.state.get("status") == "closed":
            raise PermanentError(f"account {account_no} is closed", code="account_closed")
        return row

    def open_account(self, *, key, account_no, customer_no, name, plan="", org_unit=""):
        def apply():
            if SimulatedResource.objects.filter(adapter=self.system, kind="account", ref=account_no).exists():
                raise PermanentError(f"account {account_no} exists already", code="account_exists")
            row = self._resource("account", account_no, {})
            state = {
                "status": "open",
                "customer_no": customer_no,
                "name": name,
                "plan": plan,
                "plans": {},
                "addons": {},
                "org_unit": org_unit,
            }
            self._save(row, **state)
            return {"account_no": account_no, "billing_id": "BA" + _digits(account_no, 12), "status": "open"}

        return self._run(
            "open_account",
            key,
            {
                "account_no": account_no,
                "customer_no": customer_no,
                "name": name,
                "plan": plan,
                "org_unit": org_unit,
            },
            apply,
        )

    def change_plan(self, *, key, account_no, msisdn, plan, effective="now"):
        def apply():
            if effective not in ("now", "next_cycle"):
                raise PermanentError(
                    f"effective must be now or next_cycle, not {effective!r}", code="bad_request"
                )
            row = self._account(account_no)
            self._save(row, plans={**row.state.get("plans", {}), msisdn: plan})
            return {"account_no": account_no, "msisdn": msisdn, "plan": plan, "effective": effective}

        request = {"account_no": account_no, "msisdn": msisdn, "plan": plan, "effective": effective}
        return self._run("change_plan", key, request, apply)

    def _addons(self, operation, key, account_no, msisdn, addon, *, add: bool):
        def apply():
            row = self._account(account_no)
            addons = dict(row.state.get("addons", {}))
            have = list(addons.get(msisdn, []))
            if add and addon not in have:
                have.append(addon)
            elif not add:
                if addon not in have:
                    raise PermanentError(f"line {msisdn} has no add-on {addon}", code="no_such_addon")
                have.remove(addon)
            addons[msisdn] = sorted(have)
            self._save(row, addons=addons)
            return {"account_no": account_no, "msisdn": msisdn, "addons": sorted(have)}

        return self._run(operation, key, {"account_no": account_no, "msisdn": msisdn, "addon": addon}, apply)

    def add_addon(self, *, key, account_no, msisdn, addon):
        return self._addons("add_addon", key, account_no, msisdn, addon, add=True)

    def remove_addon(self, *, key, account_no, msisdn, addon):
        return self._addons("remove_addon", key, account_no, msisdn, addon, add=False)

    def close_account(self, *, key, account_no, reason=""):
        def apply():
            row = self._account(account_no, must_be_open=False)
            self._save(row, status="closed", reason=reason)
            return {"account_no": account_no, "status": "closed", **self._figures(account_no)}

        return self._run("close_account", key, {"account_no": account_no, "reason": reason}, apply)

    def query_balance(self, *, key, account_no):
        return {"account_no": account_no, **self._figures(account_no)}

    @staticmethod
    def _figures(account_no: str) -> dict:
        # The same figures the customer module's balance mirror shows (customers.billing).
        from telcrm.customers.billing import SimulatedBilling as Mirror

        state = Mirror().get_account_state(account_no)
        return {"balance": f"{state.balance:.2f}", "arrears": f"{state.arrears:.2f}"}


class SimulatedNetwork(_Simulator, NetworkAdapter):
    system = "network"

    def _line(self, msisdn: str) -> SimulatedResource:
        # A line the network has not heard of (one of the demo's) is taken as active.
        return self._resource("line", msisdn, {"status": "active"})

    @staticmethod
    def _imsi(iccid: str) -> str:
        return "46000" + _digits(iccid, 10)

    def _line_answer(self, msisdn: str, state: dict) -> dict:
        out = {"msisdn": msisdn, "status": state["status"]}
        if state.get("iccid"):
            out.update(iccid=state["iccid"], imsi=state.get("imsi", ""))
        return out

    def activate_line(self, *, key, msisdn, iccid, plan=""):
        def apply():
            row = (
                SimulatedResource.objects.select_for_update()
                .filter(adapter=self.system, kind="line", ref=msisdn)
                .first()
            )
            if row is not None and row.state.get("status") in ("active", "suspended"):
                raise PermanentError(f"line {msisdn} is in service already", code="line_in_service")
            row = row or self._resource("line", msisdn, {})
            state = self._save(row, status="active", iccid=iccid, imsi=self._imsi(iccid), plan=plan)
            return self._line_answer(msisdn, state)

        return self._run("activate_line", key, {"msisdn": msisdn, "iccid": iccid, "plan": plan}, apply)

    def _transition(self, operation, key, msisdn, request, *, to: str, refuse_from: tuple[str, ...]):
        def apply():
            row = self._line(msisdn)
            status = row.state.get("status")
            if status in refuse_from:
                raise PermanentError(f"line {msisdn} is {status}", code=f"line_{status}")
            return self._line_answer(msisdn, self._save(row, status=to))

        return self._run(operation, key, {"msisdn": msisdn, **request}, apply)

    def suspend_line(self, *, key, msisdn, reason=""):
        return self._transition(
            "suspend_line", key, msisdn, {"reason": reason}, to="suspended", refuse_from=("deactivated",)
        )

    def resume_line(self, *, key, msisdn):
        return self._transition("resume_line", key, msisdn, {}, to="active", refuse_from=("deactivated",))

    def deactivate_line(self, *, key, msisdn):
        return self._transition("deactivate_line", key, msisdn, {}, to="deactivated", refuse_from=())

    def swap_sim(self, *, key, msisdn, iccid):
        def apply():
            row = self._line(msisdn)
            if row.state.get("status") == "deactivated":
                raise PermanentError(f"line {msisdn} is deactivated", code="line_deactivated")
            return self._line_answer(msisdn, self._save(row, iccid=iccid, imsi=self._imsi(iccid)))

        return self._run("swap_sim", key, {"msisdn": msisdn, "iccid": iccid}, apply)

    def activate_port(self, *, key, element, address, bandwidth_mbps, account_no=""):
        def apply():
            if int(bandwidth_mbps) <= 0:
                raise PermanentError("bandwidth must be positive", code="bad_request")
            taken = SimulatedResource.objects.filter(
                adapter=self.system, kind="port", ref__startswith=f"{element}/"
            )
            n = taken.count()
            while True:  # the next free port number (another activation may have taken this one)
                n += 1
                port = f"{element}/0/{n}"
                row, created = SimulatedResource.objects.get_or_create(
                    adapter=self.system, kind="port", ref=port, defaults={"state": {"status": "reserved"}}
                )
                if created:
                    break
            state = self._save(
                row,
                status="active",
                element=element,
                address=address,
                bandwidth_mbps=str(bandwidth_mbps),
                account_no=account_no,
            )
            return {
                "port": port,
                "element": element,
                "bandwidth_mbps": state["bandwidth_mbps"],
                "status": "active",
            }

        request = {
            "element": element,
            "address": address,
            "bandwidth_mbps": bandwidth_mbps,
            "account_no": account_no,
        }
        return self._run("activate_port", key, request, apply)

    def deactivate_port(self, *, key, port):
        def apply():
            row = (
                SimulatedResource.objects.select_for_update()
                .filter(adapter=self.system, kind="port", ref=port)
                .first()
            )
            if row is None:
                raise PermanentError(f"no broadband port {port}", code="no_such_port")
            self._save(row, status="inactive")
            return {"port": port, "status": "inactive"}

        return self._run("deactivate_port", key, {"port": port}, apply)
