"""Settings of the demo city's geography (``YANYUN_CITY__...``)."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator


class CitySettings(BaseModel):
    """The demo city: which boundaries, how many stations and grids, from which seed."""

    name: str = Field("hengyang", description="Boundary file under yanyun/data/boundaries.")
    seed: int = Field(20261123, description="Seed of the deterministic city generator.")
    stations: int = Field(202, ge=1, description="Police stations (派出所) to generate.")
    grids: int = Field(4882, ge=1, description="Policing grids (网格) to generate.")
    urban_districts: list[str] = Field(
        default_factory=lambda: ["珠晖区", "雁峰区", "石鼓区", "蒸湘区", "南岳区"],
        description="Districts drawn with dense, small urban grids.",
    )
    urban_density: float = Field(
        15.0, gt=0, description="Grids per km² in urban districts relative to rural ones."
    )
    first_grade_stations: int = Field(19, ge=0, description="一级派出所 count.")
    second_grade_stations: int = Field(60, ge=0, description="二级派出所 count.")
    command_rooms: int = Field(
        71, ge=0, description="Stations with an integrated duty command room."
    )
    mediation_rooms: int = Field(78, ge=0, description="Stations with a mediation room.")

    @model_validator(mode="after")
    def _counts_fit(self) -> CitySettings:
        if self.grids < self.stations:
            raise ValueError("city.grids must be at least city.stations (每个派出所至少一个网格)")
        if self.first_grade_stations + self.second_grade_stations > self.stations:
            raise ValueError("first- and second-grade stations exceed city.stations")
        if max(self.command_rooms, self.mediation_rooms) > self.stations:
            raise ValueError("stations with rooms exceed city.stations")
        return self
