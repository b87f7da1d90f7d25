"""qdacore.spatial and the mega-region city table.

The city table is checked against the 2020 census by city in ../shared/data
(Lei Dong's census compilation, MIT licence) when that file is present, and
for its internal consistency otherwise. Morphology is checked against the
per-group indices computed one group at a time; gravity flows against the
formula written out with numpy on invented (synthetic) towns.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qdacore import datasets, indices, spatial

from conftest import SHARED

CENSUS = SHARED / "data" / "china-census-2020" / "census_city_2010-2020_v1.csv"
ADMIN = SHARED / "data" / "china-admin-codes" / "ok_data_level3.csv"


@pytest.fixture(scope="module")
def census_cities():
    if not CENSUS.is_file():
        pytest.skip(f"the 2020 census by city is not at {CENSUS} (obtain it from "
                    f"{datasets.CENSUS_SOURCE})")
    return datasets.load_census(CENSUS)


def test_city_table_counts_and_roles():
    cities = datasets.megaregion_cities()
    assert cities["megaregion"].nunique() == 19
    regions = set(datasets.megaregion_documents()["region"])
    assert set(cities["megaregion"]) == regions
    assert cities["code"].str.fullmatch(r"\d{6}").all()
    assert not cities.duplicated(["megaregion", "code"]).any()
    # counts stated in the docs (the study reports 34 core and 197 secondary cities)
    assert (cities["role"] == "core").sum() == 37
    assert cities.loc[cities["role"] == "secondary", "code"].nunique() == 204
    assert cities.loc[cities["core_basis"].str.contains("special administrative", na=False), "city"].tolist() \
        == ["Hong Kong", "Macao"]
    assert (cities["role"].eq("core") == cities["core_basis"].notna()).all()
    # every mega-region has at least one core city; cores are never in two regions
    assert cities.groupby("megaregion")["role"].apply(lambda r: (r == "core").any()).all()
    assert not cities.loc[cities["role"] == "core", "in_several"].any()
    # cities the study names (paper brief): cores and secondary cities
    role = cities.drop_duplicates("city").set_index("city")["role"]
    for core in ["Beijing", "Shanghai", "Guangzhou", "Shenzhen", "Chengdu", "Chongqing", "Wuhan",
                 "Zhengzhou", "Xi'an", "Guiyang", "Jinan", "Qingdao", "Tianjin"]:
        assert role[core] == "core", core
    for secondary in ["Yuxi", "Zunyi", "Bijie", "Anshun", "Baoji", "Lvliang", "Yangquan", "Kaifeng",
                      "Yantai", "Weihai", "Baoding", "Zhangjiakou", "Wuhu", "Dongguan"]:
        assert role[secondary] == "secondary", secondary


def test_cities_in_two_megaregions_are_flagged_not_silent():
    cities = datasets.megaregion_cities()
    counts = cities.groupby("code")["megaregion"].nunique()
    several = set(counts[counts > 1].index)
    assert several == set(cities.loc[cities["in_several"], "code"])
    assert len(several) == 8
    for _, row in cities[cities["in_several"]].iterrows():
        others = set(cities.loc[(cities["code"] == row["code"]), "megaregion"]) - {row["megaregion"]}
        assert set(row["also_in"].split("|")) == others
    assert cities.loc[~cities["in_several"], "also_in"].isna().all()


def test_every_admin_code_joins_the_census(census_cities):
    joined = census_cities
    assert len(joined) == len(datasets.megaregion_cities())
    assert joined["city_census"].notna().all(), joined.loc[joined["city_census"].isna(), "code"].tolist()
    # the census names the same unit as the table
    assert (joined["city_census"] == joined["city_zh"]).all()
    # only the two Xinjiang Production and Construction Corps cities lack a 2020 population
    assert sorted(joined.loc[joined["popu_2020"].isna(), "city"]) == ["Shihezi", "Wujiaqu"]
    assert joined[["lon", "lat"]].notna().all().all()


def test_names_agree_with_the_admin_code_list():
    if not ADMIN.is_file():
        pytest.skip(f"the admin code list is not at {ADMIN}")
    admin = pd.read_csv(ADMIN, dtype=str, encoding="utf-8-sig")
    prefectures = admin[admin["deep"] == "1"].assign(code=lambda d: d["ext_id"].str[:6])
    merged = datasets.megaregion_cities().merge(prefectures, on="code", how="left")
    assert merged["ext_name"].notna().all()
    # Chongqing's code 500100 is the city proper in the admin list
    differ = merged.loc[merged["ext_name"] != merged["city_zh"], "code"].tolist()
    assert differ == ["500100"]


def test_load_census_reads_both_file_layouts(census_cities, tmp_path):
    derived = CENSUS.with_name("DERIVED_census_city_2020_nogeom_centroid.csv")
    if not derived.is_file():
        pytest.skip(f"{derived} is absent")
    other = datasets.load_census(derived)
    np.testing.assert_array_equal(other["popu_2020"].to_numpy(), census_cities["popu_2020"].to_numpy())
    # the boundary vertex mean stays within half a degree of the area centroid
    assert (other[["lon", "lat"]] - census_cities[["lon", "lat"]]).abs().max().max() < 0.5
    raw = datasets.load_census(CENSUS, join=None)
    assert raw["code"].is_unique and "coord" not in raw.columns
    mine = pd.DataFrame({"code": ["530400", "999999"]})
    joined = datasets.load_census(CENSUS, join=mine)
    assert joined["city_census"].tolist()[0] == "玉溪市" and pd.isna(joined["city_census"].iloc[1])
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="lacks the census column"):
        datasets.load_census(bad)
    with pytest.raises(FileNotFoundError, match="leiii/census"):
        datasets.load_census(tmp_path / "none.csv")
    with pytest.raises(ValueError, match="join"):
        datasets.load_census(CENSUS, join="provinces")


def synthetic_cities(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 80))
    return pd.DataFrame({
        "region": rng.choice(["r1", "r2", "r3", "r4"], size=n),
        "city": [f"c{i}" for i in range(n)],
        "pop": np.where(rng.random(n) < 0.1, np.nan, rng.lognormal(12, 1, size=n)),
        "role": rng.choice(["core", "secondary"], p=[0.2, 0.8], size=n),
    })


@pytest.mark.parametrize("seed", range(20))
def test_morphology_equals_indices_group_by_group(seed):
    cities = synthetic_cities(seed)
    m = spatial.morphology(cities, size_column="pop", by="region")
    assert m.index.tolist() == list(pd.unique(cities["region"]))
    for region, part in cities.groupby("region"):
        pop = part["pop"].dropna()
        row = m.loc[region]
        assert row["n"] == len(pop) and row["n_missing"] == part["pop"].isna().sum()
        expect = {
            "primacy_2": indices.primacy(pop), "primacy_4": indices.primacy(pop, k=4),
            "rank_size_slope": indices.rank_size_slope(pop), "gini": indices.gini(pop),
            "theil_t": indices.theil(pop), "hhi_normalized": indices.hhi(pop, normalized=True),
            "entropy_normalized": indices.entropy(pop, normalized=True), "cv": indices.cv(pop),
            "total": pop.sum(),
            "core_share": pop[part.loc[pop.index, "role"] == "core"].sum() / pop.sum(),
        }
        for col, value in expect.items():
            np.testing.assert_allclose(row[col], value, rtol=1e-12, equal_nan=True, err_msg=col)
        if len(pop):
            assert row["largest"] == part.loc[pop.idxmax(), "city"]


def test_morphology_on_the_census(census_cities):
    m = spatial.morphology(census_cities)
    assert len(m) == 19 and m["n"].sum() + m["n_missing"].sum() == len(census_cities)
    assert m.loc["Tianshan North Slope", "n_missing"] == 2
    assert m.loc["Greater Bay Area", "n_core"] == 4
    assert m["largest"].notna().all()
    assert (m["rank_size_slope"] < 0).all()


def test_gravity_flows_follow_the_formula_and_say_they_are_modelled():
    towns = pd.DataFrame({"city": ["a", "b", "c", "d"], "pop": [4.0, 1.0, 2.0, np.nan],
                          "lon": [116.4, 117.2, 114.5, 113.0], "lat": [39.9, 39.1, 38.0, 30.0]})
    od = spatial.gravity_flows(towns, mass_column="pop", beta=1.5, constant=2.0)
    assert od.attrs["modelled"] is True and "not observed" in od.attrs["model"]
    assert od.index.name == "origin" and od.columns.name == "destination"
    lo, la = np.radians(towns["lon"].to_numpy()), np.radians(towns["lat"].to_numpy())
    i, j = 0, 2
    h = np.sin((la[i] - la[j]) / 2) ** 2 + np.cos(la[i]) * np.cos(la[j]) * np.sin((lo[i] - lo[j]) / 2) ** 2
    d = 2 * spatial.EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))
    assert od.loc["a", "c"] == pytest.approx(2.0 * 4.0 * 2.0 / d ** 1.5, rel=1e-12)
    assert (np.diag(od) == 0).all() and np.allclose(od.iloc[:3, :3], od.iloc[:3, :3].T)
    assert od.loc["d"].drop("d").isna().all()
    summary = indices.flow_summary(od.iloc[:3, :3], core=["a"])
    assert summary.network["symmetry"] == pytest.approx(1.0)


BAD = [
    ("cities not a frame", lambda: spatial.morphology([1, 2]), TypeError, ["cities", "DataFrame"]),
    ("missing size column", lambda: spatial.morphology(pd.DataFrame({"megaregion": ["a"]})), ValueError,
     ["cities", "'popu_2020'"]),
    ("text sizes", lambda: spatial.morphology(pd.DataFrame({"megaregion": ["a"], "popu_2020": ["x"]}),
                                              role_column=None), TypeError, ["cities.popu_2020", "numeric"]),
    ("negative size", lambda: spatial.morphology(pd.DataFrame({"megaregion": ["a", "a"], "popu_2020": [1, -1]}),
                                                 role_column=None), ValueError, ["cities.popu_2020[1]", ">= 0"]),
    ("missing role column", lambda: spatial.morphology(pd.DataFrame({"megaregion": ["a"], "popu_2020": [1]})),
     ValueError, ["role_column='role'"]),
    ("duplicate node ids", lambda: spatial.gravity_flows(pd.DataFrame({"city": ["a", "a"], "popu_2020": [1, 2],
                                                                       "lon": [0, 1], "lat": [0, 1]})),
     ValueError, ["cities.city", "duplicate"]),
    ("bad beta", lambda: spatial.gravity_flows(pd.DataFrame({"city": ["a"], "popu_2020": [1], "lon": [0],
                                                             "lat": [0]}), beta=0), ValueError, ["beta"]),
    ("bad latitude", lambda: spatial.gravity_flows(pd.DataFrame({"city": ["a"], "popu_2020": [1], "lon": [0],
                                                                 "lat": [95]})), ValueError, ["lat"]),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_input_raises_naming_the_argument(case):
    _, call, exc, words = case
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value), str(info.value)
