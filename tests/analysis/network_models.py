"""Test models shared by the network test files."""

import nmanalysis as nma

#: two Wilson-Cowan E-I nodes coupled through E (K w01 from node 1 to 0, K w10 back),
#: written out as one model: the flat counterpart of a two-node Network
WC_TWO = nma.Model(
    "wc_two",
    states={"rE_0": {"value": 0.1, "bounds": (-0.1, 1.1)},
            "rI_0": {"value": 0.05, "bounds": (-0.1, 1.1)},
            "rE_1": {"value": 0.1, "bounds": (-0.1, 1.1)},
            "rI_1": {"value": 0.05, "bounds": (-0.1, 1.1)}},
    params={"K": 0.0, "IE": 0.0, "w01": 1.0, "w10": 0.5},
    functions={"F(x, a, th)": "1/(1 + exp(-a*(x - th))) - 1/(1 + exp(a*th))"},
    equations={
        "rE_0": "-rE_0 + (1 - rE_0)*F(12*rE_0 - 4*rI_0 + IE + K*w01*(rE_1 - rE_0), 1.2, 2.8)",
        "rI_0": "-rI_0 + (1 - rI_0)*F(13*rE_0 - 11*rI_0, 1.0, 4.0)",
        "rE_1": "-rE_1 + (1 - rE_1)*F(12*rE_1 - 4*rI_1 + IE + K*w10*(rE_0 - rE_1), 1.2, 2.8)",
        "rI_1": "-rI_1 + (1 - rI_1)*F(13*rE_1 - 11*rI_1, 1.0, 4.0)",
    })
