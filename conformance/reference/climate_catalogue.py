"""The reference server's Climate catalogue: fixed, made-up products and suppliers.

The catalogue is the same in every store and every run, so runs are reproducible. It is invented
for the reference server (names, places and prices are illustrative, not Stripe's inventory); its
shape follows Stripe's Climate product and supplier objects. Prices are per metric ton, in cents.

=================================================  ========  =======  =====  ==========  ==============
product                                             delivery  subtotal fees   tons avail  suppliers
=================================================  ========  =======  =====  ==========  ==============
``climsku_reference_portfolio_2027``                2027      50000    1500   250000      biochar, dac
``climsku_reference_weathering_2030``               2030      42000    1260   80000       weathering
=================================================  ========  =======  =====  ==========  ==============
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

CATALOGUE_CREATED = 1_700_000_000
"""Creation time of the catalogue's first entry; later entries are one hour apart."""


class _CatalogueEntry:
    """A catalogue entry's creation time, from its catalogue position (``sequence``)."""

    sequence: int

    @property
    def created(self) -> int:
        """Creation time: one hour per catalogue position after ``CATALOGUE_CREATED``."""
        return CATALOGUE_CREATED + 3600 * self.sequence


@dataclass(frozen=True)
class Supplier(_CatalogueEntry):
    """One carbon removal supplier."""

    id: str
    name: str
    removal_pathway: str
    city: str
    country: str
    region: str
    latitude: float
    longitude: float
    sequence: int

    def render(self) -> dict[str, object]:
        """Render as a ``climate.supplier`` object."""
        return {
            "id": self.id,
            "object": "climate.supplier",
            "info_url": f"https://example.com/climate/suppliers/{self.id.removeprefix('climsup_')}",
            "livemode": False,
            "locations": [
                {
                    "city": self.city,
                    "country": self.country,
                    "latitude": self.latitude,
                    "longitude": self.longitude,
                    "region": self.region,
                }
            ],
            "name": self.name,
            "removal_pathway": self.removal_pathway,
        }


@dataclass(frozen=True)
class Product(_CatalogueEntry):
    """One Climate product: a kind of carbon removal with a price per metric ton."""

    id: str
    name: str
    delivery_year: int
    subtotal_per_ton: int
    fees_per_ton: int
    metric_tons_available: int
    supplier_ids: tuple[str, ...]
    sequence: int

    def render(self) -> dict[str, object]:
        """Render as a ``climate.product`` object with its suppliers embedded."""
        return {
            "id": self.id,
            "object": "climate.product",
            "created": self.created,
            "current_prices_per_metric_ton": {
                "usd": {
                    "amount_fees": self.fees_per_ton,
                    "amount_subtotal": self.subtotal_per_ton,
                    "amount_total": self.fees_per_ton + self.subtotal_per_ton,
                }
            },
            "delivery_year": self.delivery_year,
            "livemode": False,
            "metric_tons_available": str(self.metric_tons_available),
            "name": self.name,
            "suppliers": [SUPPLIERS[supplier].render() for supplier in self.supplier_ids],
        }


SUPPLIERS: Mapping[str, Supplier] = MappingProxyType(
    {
        supplier.id: supplier
        for supplier in (
            Supplier("climsup_reference_biochar", "Reference Biochar Works", "biomass_carbon_removal_and_storage",
                     "Fresno", "US", "CA", 36.7378, -119.7871, 0),
            Supplier("climsup_reference_dac", "Reference Direct Air Capture", "direct_air_capture",
                     "Reno", "US", "NV", 39.5296, -119.8138, 1),
            Supplier("climsup_reference_weathering", "Reference Rock Weathering", "enhanced_weathering",
                     "Asheville", "US", "NC", 35.5951, -82.5515, 2),
        )
    }
)
"""Every supplier, by id."""

PRODUCTS: Mapping[str, Product] = MappingProxyType(
    {
        product.id: product
        for product in (
            Product("climsku_reference_portfolio_2027", "Reference removal portfolio, 2027 delivery", 2027,
                    50_000, 1_500, 250_000, ("climsup_reference_biochar", "climsup_reference_dac"), 0),
            Product("climsku_reference_weathering_2030", "Reference enhanced weathering, 2030 delivery", 2030,
                    42_000, 1_260, 80_000, ("climsup_reference_weathering",), 1),
        )
    }
)
"""Every product, by id."""
