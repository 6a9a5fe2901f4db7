import { createPotential as ark } from "./ark.js";
import { createPotential as arma11 } from "./arma11.js";
import { createPotential as blr } from "./blr.js";
import { createPotential as eightCentered } from "./eight-schools-centered.js";
import { createPotential as eightNoncentered } from "./eight-schools-noncentered.js";
import { createPotential as garch11 } from "./garch11.js";
import { createPotential as gpRegr } from "./gp-regr.js";
import { createPotential as hmm } from "./hmm-example.js";
import { createPotential as kidiq } from "./kidscore-momiq.js";
import { createPotential as kilpisjarvi } from "./kilpisjarvi.js";
import { createPotential as gaussMix } from "./low-dim-gauss-mix.js";
import type { PosteriorModel } from "./model.js";

/** posteriordb posterior name -> its hand-written model and module file (for worker threads). */
export const POSTERIORDB_MODELS: Record<
  string,
  { create: (data: never) => PosteriorModel; file: string }
> = {
  "eight_schools-eight_schools_noncentered": {
    create: eightNoncentered,
    file: "eight-schools-noncentered",
  },
  "eight_schools-eight_schools_centered": { create: eightCentered, file: "eight-schools-centered" },
  "garch-garch11": { create: garch11, file: "garch11" },
  "arK-arK": { create: ark, file: "ark" },
  "arma-arma11": { create: arma11, file: "arma11" },
  "sblri-blr": { create: blr, file: "blr" },
  "kidiq-kidscore_momiq": { create: kidiq, file: "kidscore-momiq" },
  "kilpisjarvi_mod-kilpisjarvi": { create: kilpisjarvi, file: "kilpisjarvi" },
  "low_dim_gauss_mix-low_dim_gauss_mix": { create: gaussMix, file: "low-dim-gauss-mix" },
  "hmm_example-hmm_example": { create: hmm, file: "hmm-example" },
  "gp_pois_regr-gp_regr": { create: gpRegr, file: "gp-regr" },
};
