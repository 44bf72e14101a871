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
from decimal import Decimal, InvalidOperation

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
            accounts = SimulatedResource.objects.filter(adapter=self.system, kind="account")
            found = accounts.filter(ref=account_no).first()
            if found is not None:
                # a further line on the customer's open account (a second new line): nothing to open
                if found.state.get("customer_no") == customer_no and found.state.get("status") == "open":
                    return {
                        "account_no": account_no,
                        "billing_id": "BA" + _digits(account_no, 12),
                        "status": "open",
                        "existing": True,
                    }
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

    def order_entry(
        self,
        *,
        key,
        account_no,
        order_no,
        msisdn="",
        one_off="0.00",
        deposit="0.00",
        monthly="0.00",
        min_spend="0.00",
        paid="0.00",
    ):
        amounts = {
            "one_off": one_off,
            "deposit": deposit,
            "monthly": monthly,
            "min_spend": min_spend,
            "paid": paid,
        }
        request = {"account_no": account_no, "order_no": order_no, "msisdn": msisdn, **amounts}

        def apply():
            clean = {name: _yuan_text(name, value) for name, value in amounts.items()}
            if not order_no:
                raise PermanentError("order_no is required", code="bad_request")
            row = self._account(account_no)
            entries = dict(row.state.get("entries", {}))
            if order_no in entries:  # an order is entered once, whatever the key
                return entries[order_no]
            entry = {
                "account_no": account_no,
                "order_no": order_no,
                "entry_id": "BE" + _digits(order_no, 12),
                "msisdn": msisdn,
                **clean,
                "status": "entered",
            }
            entries[order_no] = entry
            self._save(row, entries=entries)
            return entry

        return self._run("order_entry", key, request, apply)

    def transfer_owner(self, *, key, account_no, msisdn, new_account_no, new_customer_no=""):
        def apply():
            if new_account_no == account_no:
                raise PermanentError("the line is on this account already", code="same_account")
            old = self._account(account_no)
            new = self._account(new_account_no)
            left, gained = {}, {}
            for part in ("plans", "addons", "lines"):  # the line's plan, add-ons and status move along
                have = dict(old.state.get(part, {}))
                if msisdn in have:
                    gained[part] = {**new.state.get(part, {}), msisdn: have.pop(msisdn)}
                left[part] = have
            self._save(old, **left)
            if new_customer_no and not new.state.get("customer_no"):
                gained["customer_no"] = new_customer_no
            self._save(new, **gained)
            return {
                "msisdn": msisdn,
                "account_no": new_account_no,
                "previous_account_no": account_no,
                "status": "transferred",
            }

        request = {
            "account_no": account_no,
            "msisdn": msisdn,
            "new_account_no": new_account_no,
            "new_customer_no": new_customer_no,
        }
        return self._run("transfer_owner", key, request, apply)

    def _line_status(self, operation, key, account_no, msisdn, request, *, to: str):
        def apply():
            row = self._account(account_no)
            self._save(row, lines={**row.state.get("lines", {}), msisdn: to})
            return {"account_no": account_no, "msisdn": msisdn, "status": to}

        return self._run(operation, key, {"account_no": account_no, "msisdn": msisdn, **request}, apply)

    def suspend_line(self, *, key, account_no, msisdn, reason=""):
        return self._line_status("suspend_line", key, account_no, msisdn, {"reason": reason}, to="suspended")

    def resume_line(self, *, key, account_no, msisdn):
        return self._line_status("resume_line", key, account_no, msisdn, {}, to="active")


def _yuan_text(name: str, value) -> str:
    """An amount in yuan as BOSS takes it ("12.30"); a refusal for anything else."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise PermanentError(f"{name} must be an amount in yuan, not {value!r}", code="bad_request")
    return f"{amount.quantize(Decimal('0.01'))}"


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

    def _new_port(self, element: str) -> SimulatedResource:
        """The next free port number on ``element`` (another call may have taken this one)."""
        n = SimulatedResource.objects.filter(
            adapter=self.system, kind="port", ref__startswith=f"{element}/"
        ).count()
        while True:
            n += 1
            row, created = SimulatedResource.objects.get_or_create(
                adapter=self.system,
                kind="port",
                ref=f"{element}/0/{n}",
                defaults={"state": {"status": "reserved"}},
            )
            if created:
                return row

    @staticmethod
    def _check_bandwidth(bandwidth_mbps) -> None:
        if int(bandwidth_mbps) <= 0:
            raise PermanentError("bandwidth must be positive", code="bad_request")

    def activate_port(self, *, key, element, address, bandwidth_mbps, account_no="", port=""):
        def apply():
            self._check_bandwidth(bandwidth_mbps)
            if port:
                row = (
                    SimulatedResource.objects.select_for_update()
                    .filter(adapter=self.system, kind="port", ref=port)
                    .first()
                )
                if row is None or not port.startswith(f"{element}/"):
                    raise PermanentError(f"no broadband port {port} on {element}", code="no_such_port")
                if row.state.get("status") != "reserved":
                    raise PermanentError(
                        f"port {port} is {row.state.get('status')}", code="port_not_reserved"
                    )
            else:
                row = self._new_port(element)
            state = self._save(
                row,
                status="active",
                element=element,
                address=address,
                bandwidth_mbps=str(bandwidth_mbps),
                account_no=account_no,
            )
            return {
                "port": row.ref,
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
        if port:
            request["port"] = port
        return self._run("activate_port", key, request, apply)

    def reserve_port(self, *, key, element, address, bandwidth_mbps, account_no="", reference=""):
        def apply():
            self._check_bandwidth(bandwidth_mbps)
            row = None
            if reference:  # reserving again for the same installation answers the same port
                row = (
                    SimulatedResource.objects.select_for_update()
                    .filter(adapter=self.system, kind="port", ref__startswith=f"{element}/")
                    .filter(state__status="reserved", state__reference=reference)
                    .first()
                )
            row = row or self._new_port(element)
            self._save(
                row,
                status="reserved",
                element=element,
                address=address,
                bandwidth_mbps=str(bandwidth_mbps),
                account_no=account_no,
                reference=reference,
            )
            return {
                "port": row.ref,
                "element": element,
                "bandwidth_mbps": str(bandwidth_mbps),
                "status": "reserved",
            }

        request = {
            "element": element,
            "address": address,
            "bandwidth_mbps": bandwidth_mbps,
            "account_no": account_no,
            "reference": reference,
        }
        return self._run("reserve_port", key, request, apply)

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

    def _in_service(self, msisdn: str) -> SimulatedResource:
        row = self._line(msisdn)
        if row.state.get("status") == "deactivated":
            raise PermanentError(f"line {msisdn} is deactivated", code="line_deactivated")
        return row

    def change_plan(self, *, key, msisdn, plan):
        def apply():
            row = self._in_service(msisdn)
            state = self._save(row, plan=plan)
            return {"msisdn": msisdn, "plan": plan, "status": state["status"]}

        return self._run("change_plan", key, {"msisdn": msisdn, "plan": plan}, apply)

    def add_addon(self, *, key, msisdn, addon):
        def apply():
            row = self._in_service(msisdn)
            addons = sorted({*row.state.get("addons", []), addon})
            state = self._save(row, addons=addons)
            return {"msisdn": msisdn, "addons": addons, "status": state["status"]}

        return self._run("add_addon", key, {"msisdn": msisdn, "addon": addon}, apply)
