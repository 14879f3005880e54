"""Indicators: one definition of each, used by the CLI, batches and the app alike.

Tonnages come from the flow ledger (what moved along which kind of edge); money and household
counts from what agents reported. Rates are always computed from tonnages by :func:`add_rates`,
so a year's rate is the rate of the year's tonnes, never an average of monthly rates.

GHG follows IPCC 2006 Vol. 5 (fossil carbon of plastic oxidised in open burning and
incineration) with credits for recycling (EPA WARM v16 net factors) and energy recovery shown
separately; see ``data/provenance.csv`` for every factor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim import network as net
from sim.behaviour import DAYS_PER_MONTH
from sim.materials import GROUPS, MATERIALS, Material
from sim.network import NodeKind

if TYPE_CHECKING:
    from sim.model import PlasticModel

MJ_PER_MWH = 3600.0
#: Plain names of the separation groups in indicator labels.
GROUP_NAMES = {
    "pet": "PET bottles",
    "rigid": "rigid plastics",
    "film": "film and bags",
    "low_value": "low-value plastics",
}


@dataclass(frozen=True)
class Indicator:
    """Metadata of one indicator."""

    unit: str
    label: str
    description: str
    aggregate: str = "sum"  # over a year: sum, last, mean, rate


def _catalogue() -> dict[str, Indicator]:
    cat = {
        "generated_t": Indicator("t", "Plastic waste generated", "Plastic entering the waste stream."),
        "collected_t": Indicator(
            "t", "Collected", "Handed over by households to formal or informal collection or deposit points."
        ),
        "collected_formal_t": Indicator(
            "t", "Collected (formal)", "Handed over to the formal collection service."
        ),
        "collected_informal_t": Indicator(
            "t",
            "Collected (informal)",
            "Sold or returned by households to itinerant buyers or deposit points.",
        ),
        "collected_for_recycling_t": Indicator(
            "t", "Collected for recycling", "Plastic reaching junk shops and aggregators from any source."
        ),
        "recycled_t": Indicator(
            "t", "Recycled", "Secondary material leaving recyclers, after process losses."
        ),
        "exported_t": Indicator("t", "Exported for recycling", "Baled plastic sold abroad."),
        "recycler_input_t": Indicator(
            "t", "Into recyclers", "Plastic recyclers took in (before process losses)."
        ),
        "recycler_capacity_t": Indicator(
            "t", "Recycler capacity", "What open recyclers could take in over the period."
        ),
        "recycler_utilisation": Indicator(
            "fraction",
            "Recycler utilisation",
            "Share of recycling capacity in use; near 100 %, capacity is what limits recycling.",
            "rate",
        ),
        "landfilled_t": Indicator("t", "Landfilled", "Net addition to landfills (after landfill picking)."),
        "incinerated_t": Indicator("t", "Incinerated", "Burned in incinerators or cement kilns."),
        "open_burned_t": Indicator("t", "Openly burned", "Burned in the open by households."),
        "dumped_t": Indicator(
            "t", "Dumped on land", "Dumped by households, or left when collection or landfills overflow."
        ),
        "leaked_to_water_t": Indicator("t", "Leaked to water", "Reaching drains, rivers and the Tonle Sap."),
        "mismanaged_t": Indicator("t", "Mismanaged", "Openly burned, dumped or leaked."),
        "collection_rate": Indicator(
            "fraction", "Collection rate", "Share of plastic waste that is collected.", "rate"
        ),
        "collected_for_recycling_rate": Indicator(
            "fraction", "Collected for recycling", "Share of plastic waste reaching junk shops.", "rate"
        ),
        "recycling_rate": Indicator(
            "fraction", "Recycling rate", "Share of plastic waste that becomes recycled material.", "rate"
        ),
        "mismanaged_rate": Indicator(
            "fraction",
            "Mismanaged share",
            "Share of plastic waste burned in the open, dumped or leaked to water.",
            "rate",
        ),
        "ghg_open_burning_t_co2e": Indicator(
            "t CO2e", "GHG, open burning", "Fossil CO2 plus CH4/N2O of open burning."
        ),
        "ghg_incineration_t_co2e": Indicator("t CO2e", "GHG, incineration", "Fossil CO2 of incineration."),
        "ghg_transport_t_co2e": Indicator("t CO2e", "GHG, transport", "Collection and haulage."),
        "ghg_t_co2e": Indicator(
            "t CO2e",
            "GHG emissions",
            "Gross emissions of plastic waste handling (burning, incineration, transport).",
        ),
        "ghg_avoided_t_co2e": Indicator(
            "t CO2e",
            "GHG avoided",
            "Credits: recyclate replacing virgin resin, energy recovery replacing grid power.",
        ),
        "ghg_net_t_co2e": Indicator(
            "t CO2e", "GHG, net", "Emissions minus what recycling and energy recovery avoid."
        ),
        "energy_recovered_mwh": Indicator(
            "MWh", "Electricity recovered", "From incinerators with energy recovery."
        ),
        "collection_cost_usd": Indicator(
            "USD", "Collection cost", "Formal collection and haulage of plastic."
        ),
        "landfill_cost_usd": Indicator("USD", "Landfill cost", "Operating cost of landfilling plastic."),
        "fee_revenue_usd": Indicator(
            "USD", "Fee revenue", "Collection fees, share attributable to plastic by mass."
        ),
        "net_public_cost_usd": Indicator(
            "USD", "Net public cost", "Collection and landfill costs minus collection fees (plastic's share)."
        ),
        "informal_income_usd": Indicator(
            "USD", "Informal income", "Earnings of itinerant buyers and waste pickers."
        ),
        "picker_income_usd_per_month": Indicator(
            "USD/person/month", "Waste picker income", "Earnings per waste picker per month.", "mean"
        ),
        "aggregator_margin_usd": Indicator(
            "USD", "Junk-shop margin", "Sales minus purchases of aggregators."
        ),
        "itinerant_income_usd": Indicator(
            "USD", "Itinerant buyers' income", "Sales to junk shops minus purchases from households."
        ),
        "film_generated_t": Indicator("t", "Film and bags generated", "Film and carrier bags thrown away."),
        "returned_t": Indicator(
            "t", "Returned for deposit", "Deposit-bearing containers households bring to return points."
        ),
        "deposit_bearing_t": Indicator(
            "t", "Deposit-bearing waste", "Containers carrying a deposit when thrown away or returned."
        ),
        "deposit_return_rate": Indicator(
            "fraction", "Deposit return rate", "Share of deposit containers brought back (by mass).", "rate"
        ),
        "deposits_paid_usd": Indicator(
            "USD", "Deposits paid", "Deposits consumers paid on containers that became waste."
        ),
        "deposit_refunds_usd": Indicator(
            "USD", "Deposits refunded", "Refunds at return points, and to pickers where allowed."
        ),
        "unredeemed_deposits_usd": Indicator(
            "USD", "Unredeemed deposits", "Deposits paid but not refunded: what the scheme keeps."
        ),
        "producer_fees_usd": Indicator(
            "USD", "Producer fees", "Extended producer responsibility fees on plastic put on the market."
        ),
        "subsidies_usd": Indicator(
            "USD", "Recycling subsidies", "Subsidies and producer-fund top-ups paid per tonne into recyclers."
        ),
        "carbon_credit_revenue_usd": Indicator(
            "USD", "Carbon credit revenue", "Credit price times the emissions recycled plastic avoids."
        ),
        "landfill_tax_usd": Indicator(
            "USD", "Landfill tax", "Landfill tax on plastic landfilled (plastic's share)."
        ),
        "public_revenue_usd": Indicator(
            "USD", "Public revenue", "Collection fees, landfill tax and producer fees (plastic's share)."
        ),
        "public_spending_usd": Indicator(
            "USD",
            "Public spending",
            "Collection, landfill operation, recycling subsidies and programmes (plastic's share).",
        ),
        "programme_cost_usd": Indicator(
            "USD",
            "Programme spending",
            "Campaigns, producer-funded collection extension and picker stipends.",
        ),
        "households": Indicator("households", "Households", "Households in the city.", "last"),
        "households_served_share": Indicator(
            "fraction", "Households served", "Share of households reached by formal collection.", "mean"
        ),
        "households_using_formal_share": Indicator(
            "fraction",
            "Households using collection",
            "Share of households handing waste to formal collection.",
            "mean",
        ),
        "landfill_remaining_msw_t": Indicator(
            "t", "Landfill space left", "Remaining landfill space, tonnes of all MSW.", "last"
        ),
        "recycling_capacity_t_per_day": Indicator(
            "t/day", "Recycling capacity", "Plastic input capacity of open recyclers.", "last"
        ),
        "landfill_years_left": Indicator(
            "years",
            "Landfill years left",
            "Years until landfills are full at this year's intake (0 once full).",
            "rate",
        ),
    }
    for g in GROUPS:
        name = GROUP_NAMES.get(g, g)
        cat[f"households_separating_{g}_share"] = Indicator(
            "fraction", f"Households separating {name}", f"Share of households keeping {name} apart.", "mean"
        )
    cat.update(_market_catalogue())
    return cat


#: Materials traded in the secondary-materials market by default (the others have no buyers).
TRADED = (Material.PET, Material.HDPE, Material.PP, Material.FILM)


def _market_catalogue() -> dict[str, Indicator]:
    """Indicators of the secondary-materials market (:mod:`sim.market`)."""
    cat = {
        "junkshop_inventory_t": Indicator(
            "t", "Junk-shop stock", "Unsold material junk shops and the deposit operator hold.", "last"
        ),
        "junkshop_discarded_t": Indicator(
            "t", "Discarded by junk shops", "Material nobody bought beyond what junk shops can store."
        ),
        "recycler_investment_usd": Indicator(
            "USD", "Recycler investment", "Capital committed to new recycling capacity."
        ),
        "deposit_material_revenue_usd": Indicator(
            "USD",
            "Deposit material sales",
            "What the deposit scheme's operator earns selling returned bottles.",
        ),
        "producer_payments_usd": Indicator(
            "USD", "Producer payments to recyclers", "Producer-responsibility fund paid per tonne recycled."
        ),
    }
    for m in TRADED:
        cat[f"recycler_price_{m}_usd_per_t"] = Indicator(
            "USD/t", f"Market price of {m}", f"What recyclers and exporters pay junk shops for {m}.", "mean"
        )
        cat[f"junkshop_price_{m}_usd_per_t"] = Indicator(
            "USD/t", f"Junk-shop price of {m}", f"What junk shops pay pickers and buyers for {m}.", "mean"
        )
    return cat


INDICATORS: dict[str, Indicator] = _catalogue()
HEADLINE = (
    "generated_t",
    "collection_rate",
    "recycling_rate",
    "mismanaged_rate",
    "leaked_to_water_t",
    "ghg_net_t_co2e",
)


def add_rates(df: pd.DataFrame) -> pd.DataFrame:
    """Add every rate computed from the tonnage columns (the one definition of each rate).

    Returns a new table: ``df``'s columns (those of the same name replaced in place), then the
    others.
    """
    values = df.to_numpy(dtype=float)
    return _table(_with_rates({name: values[:, i] for i, name in enumerate(df.columns)}), df.index)


def _with_rates(c: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Add the rates of :func:`add_rates` to columns of values (in place; returns them)."""
    gen = np.where(c["generated_t"] > 0, c["generated_t"], np.nan)
    capacity = np.where(c["recycler_capacity_t"] > 0, c["recycler_capacity_t"], np.nan)
    bearing = np.where(c["deposit_bearing_t"] > 0, c["deposit_bearing_t"], np.nan)
    c["collection_rate"] = c["collected_t"] / gen
    c["collected_for_recycling_rate"] = c["collected_for_recycling_t"] / gen
    c["recycling_rate"] = c["recycled_t"] / gen
    c["recycler_utilisation"] = c["recycler_input_t"] / capacity
    c["mismanaged_t"] = c["open_burned_t"] + c["dumped_t"] + c["leaked_to_water_t"]
    c["mismanaged_rate"] = c["mismanaged_t"] / gen
    c["ghg_net_t_co2e"] = c["ghg_t_co2e"] - c["ghg_avoided_t_co2e"]
    c["net_public_cost_usd"] = c["collection_cost_usd"] + c["landfill_cost_usd"] - c["fee_revenue_usd"]
    c["public_revenue_usd"] = c["fee_revenue_usd"] + c["landfill_tax_usd"] + c["producer_fees_usd"]
    c["public_spending_usd"] = (
        c["collection_cost_usd"] + c["landfill_cost_usd"] + c["subsidies_usd"] + c["programme_cost_usd"]
    )
    c["deposit_return_rate"] = c["returned_t"] / bearing
    c["unredeemed_deposits_usd"] = c["deposits_paid_usd"] - c["deposit_refunds_usd"]
    return c


def _table(columns: dict[str, np.ndarray], index: pd.Index) -> pd.DataFrame:
    """Columns of floats as one table (one block: building it column by column costs more than the values)."""
    return pd.DataFrame(np.column_stack(list(columns.values())), index=index, columns=list(columns))


def _edge_sums(
    model: PlasticModel, selections: dict[str, tuple[set[NodeKind] | None, set[NodeKind] | None]]
) -> dict[str, np.ndarray]:
    """Tonnes per step and material on edges from ``sources`` kinds to ``targets`` kinds, by name.

    ``None`` for sources or targets means any kind.
    """
    kinds = dict(model.graph.nodes(data=net.KIND))
    edges = [(kinds[u], kinds[v]) for u, v in model.ledger.edges]
    flows = model.ledger.flows
    out = {}
    for name, (sources, targets) in selections.items():
        idx = [
            e
            for e, (u, v) in enumerate(edges)
            if (sources is None or u in sources) and (targets is None or v in targets)
        ]
        out[name] = flows[:, idx].sum(axis=1)
    return out


def step_indicators(model: PlasticModel) -> pd.DataFrame:
    """Indicators per step at city scale, one row per step."""
    sc = model.scenario
    K = NodeKind  # noqa: N806 - short alias keeps the table readable
    by_mat = _edge_sums(
        model,
        {
            "generated_t": ({K.CONSUMPTION}, None),
            "collected_t": ({K.HOUSEHOLDS}, {K.FORMAL_COLLECTOR, K.INFORMAL_COLLECTOR, K.DEPOSIT_POINT}),
            "collected_formal_t": ({K.HOUSEHOLDS}, {K.FORMAL_COLLECTOR}),
            "collected_informal_t": ({K.HOUSEHOLDS}, {K.INFORMAL_COLLECTOR, K.DEPOSIT_POINT}),
            "collected_for_recycling_t": (None, {K.AGGREGATOR}),
            "recycled_t": ({K.RECYCLER}, {K.MARKET}),
            "recycler_input_t": (None, {K.RECYCLER}),
            "exported_t": (None, {K.EXPORT}),
            "landfill_in_t": (None, {K.LANDFILL}),
            "landfilled_t": ({K.LANDFILL}, None),  # out of landfills, for now
            "incinerated_t": (None, {K.INCINERATOR}),
            "open_burned_t": (None, {K.OPEN_BURNING}),
            "dumped_t": (None, {K.DUMPED}),
            "leaked_to_water_t": (None, {K.WATER}),
            "returned_t": ({K.HOUSEHOLDS}, {K.DEPOSIT_POINT}),
        },
    )
    by_mat["landfilled_t"] = by_mat["landfill_in_t"] - by_mat["landfilled_t"]  # in less out
    # Columns are gathered in a dict and made into a table once (inserting them one by one
    # into a DataFrame costs more than computing them).
    col = {k: v.sum(axis=1) for k, v in by_mat.items()}
    col["film_generated_t"] = by_mat["generated_t"][:, MATERIALS.index(Material.FILM)]
    em = sc.emissions
    credits = np.array([sc.materials[m].recycling_credit_t_co2e_per_t for m in MATERIALS])
    km = np.array([model.graph.edges[e][net.DISTANCE_KM] for e in model.ledger.edges])
    energy = np.zeros(model.n_steps)
    for f in model.facilities.values():
        if f.kind == "incinerator":
            into = [i for (u, v), i in model.ledger.edge_index.items() if v == f.node]
            t = model.ledger.flows[:, into].sum(axis=(1, 2))
            energy += t * em.plastic_ncv_gj_per_t * 1000 * f.params.energy_recovery_efficiency / MJ_PER_MWH
    col["energy_recovered_mwh"] = energy
    col["ghg_open_burning_t_co2e"] = col["open_burned_t"] * (
        em.open_burning_co2_t_per_t + em.open_burning_non_co2_t_co2e_per_t
    )
    col["ghg_incineration_t_co2e"] = col["incinerated_t"] * em.incineration_co2_t_per_t
    col["ghg_transport_t_co2e"] = model.ledger.flows.sum(axis=2) @ km * em.transport_kg_co2e_per_t_km / 1000
    col["ghg_t_co2e"] = (
        col["ghg_open_burning_t_co2e"] + col["ghg_incineration_t_co2e"] + col["ghg_transport_t_co2e"]
    )
    col["ghg_avoided_t_co2e"] = by_mat["recycled_t"] @ credits + energy * em.grid_t_co2_per_mwh

    rec = model.recorder.values  # only declared keys exist (sim.model.RECORDED)
    days = 365.25 / sc.time.steps_per_year
    col["collection_cost_usd"] = rec["collection_cost_usd"]
    col["landfill_cost_usd"] = col.pop("landfill_in_t") * sc.landfill.cost_usd_per_t
    col["fee_revenue_usd"] = rec["fee_revenue_usd"] * sc.city.plastic_share_of_msw
    informal = [
        rec[k] for k in ("income_itinerant_usd", "income_street_pickers_usd", "income_dump_pickers_usd")
    ]
    col["informal_income_usd"] = sum(informal)
    col["itinerant_income_usd"] = informal[0]
    for key in (
        "deposit_bearing_t",
        "deposits_paid_usd",
        "deposit_refunds_usd",
        "producer_fees_usd",
        "subsidies_usd",
        "carbon_credit_revenue_usd",
        "landfill_tax_usd",
        "programme_cost_usd",
        "aggregator_margin_usd",
        "junkshop_inventory_t",
        "junkshop_discarded_t",
        "recycler_investment_usd",
        "deposit_material_revenue_usd",
        "producer_payments_usd",
        "landfill_remaining_msw_t",
        "recycling_capacity_t_per_day",
        "recycler_capacity_t",
        *(f"{link}_price_{m}_usd_per_t" for link in ("recycler", "junkshop") for m in TRADED),
    ):
        col[key] = rec[key]
    pickers = sc.informal.street_pickers + sc.informal.dump_pickers
    col["picker_income_usd_per_month"] = (
        (informal[1] + informal[2]) / max(pickers, 1) * (DAYS_PER_MONTH / days)
    )
    households = rec["households"]
    col["households"] = households
    col["households_served_share"] = rec["households_served"] / households
    col["households_using_formal_share"] = rec["households_using_formal"] / households
    for g in GROUPS:
        col[f"households_separating_{g}_share"] = rec[f"households_separating_{g}"] / households
    return _table(_with_rates(col), pd.RangeIndex(model.n_steps))


def annual(timeseries: pd.DataFrame, plastic_share_of_msw: float) -> pd.DataFrame:
    """Indicators by year: tonnes and money summed, states at year end, rates recomputed.

    Args:
        timeseries: Indicators per step, with a ``year`` column.
        plastic_share_of_msw: To turn landfilled plastic into landfill space used [fraction].
    """
    how: dict[str, list[str]] = {"sum": [], "last": [], "mean": []}
    for name, ind in INDICATORS.items():
        if name in timeseries and ind.aggregate != "rate":
            how[ind.aggregate].append(name)
    grouped = timeseries.groupby("year")
    # One aggregation per kind over all its columns (the same sums as column by column).
    parts = [getattr(grouped[names], kind)() for kind, names in how.items() if names]
    order = [name for name in INDICATORS if name in timeseries and INDICATORS[name].aggregate != "rate"]
    years = add_rates(pd.concat(parts, axis=1)[order])
    intake = timeseries.groupby("year")["landfilled_t"].sum()
    msw_intake = (intake / plastic_share_of_msw).where(intake > 0)
    remaining = years["landfill_remaining_msw_t"]
    years["landfill_years_left"] = (remaining / msw_intake).where(remaining > 0, 0.0)
    return years
