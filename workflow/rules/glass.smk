# Glass preparation: melt -> quench (Tg) -> anneal -> equilibrate at each
# temperature (g(r)) -> inherent structure. One job folder per step, holding
# the rendered in.lammps, log.lammps, outputs and provenance.json.

from mgrelax.plan import extra_cooling_rates

# Tg against cooling rate, where glass_transition.cooling_rates lists rates: each
# sample's liquid is also quenched at each of them (by folder label; the campaign's own
# quench.cooling_rate is not quenched twice), and Tg(log10 rate) is fitted over all.
COOLING_RATE_STUDY = bool(config["glass_transition"]["cooling_rates"])
EXTRA_RATES = {number_label(rate): rate for rate in extra_cooling_rates(config)}
RATE_SAMPLE_DIR = f"{GLASS}/cooling_rate/q{{rate}}/sample{{sample}}"
TG_RATE_TABLE = f"{GLASS}/tg_cooling_rate.csv"
TG_RATE_FIGURE = f"{GLASS}/figures/tg_cooling_rate"


wildcard_constraints:
    rate=r"[0-9.e+-]+",


rule melt:
    output:
        data=f"{SAMPLE_DIR}/melt/liquid.data",
        series=f"{SAMPLE_DIR}/melt/series.dat",
        check=f"{SAMPLE_DIR}/melt/liquid_check.json",
    log:
        f"{LOGS}/glass/sample{{sample}}/melt.log",
    conda:
        "../envs/mgrelax.yaml"
    threads: lammps_threads("glass")
    resources:
        **lammps_resources("glass"),
    params:
        settings=settings_of("melt"),
    script:
        "../../scripts/melt.py"


rule quench:
    input:
        liquid=rules.melt.output.data,
    output:
        data=f"{SAMPLE_DIR}/quench/quenched.data",
        series=f"{SAMPLE_DIR}/quench/series.dat",
        table=f"{SAMPLE_DIR}/quench/quench.h5",
    log:
        f"{LOGS}/glass/sample{{sample}}/quench.log",
    conda:
        "../envs/mgrelax.yaml"
    threads: lammps_threads("glass")
    resources:
        **lammps_resources("glass"),
    params:
        settings=settings_of("quench"),
    script:
        "../../scripts/quench.py"


rule glass_transition:
    input:
        table=rules.quench.output.table,
    output:
        f"{SAMPLE_DIR}/glass_transition.json",
    log:
        f"{LOGS}/glass/sample{{sample}}/glass_transition.log",
    conda:
        "../envs/mgrelax.yaml"
    params:
        settings=settings_of("glass_transition"),
    script:
        "../../scripts/glass_transition.py"


rule anneal:
    input:
        quenched=rules.quench.output.data,
    output:
        data=f"{SAMPLE_DIR}/anneal/annealed.data",
        series=f"{SAMPLE_DIR}/anneal/series.dat",
    log:
        f"{LOGS}/glass/sample{{sample}}/anneal.log",
    conda:
        "../envs/mgrelax.yaml"
    threads: lammps_threads("glass")
    resources:
        **lammps_resources("glass"),
    params:
        settings=settings_of("anneal"),
    script:
        "../../scripts/anneal.py"


rule equilibrate:
    input:
        annealed=rules.anneal.output.data,
    output:
        data=f"{SAMPLE_DIR}/T{{temperature}}/equilibrate/glass.data",
        series=f"{SAMPLE_DIR}/T{{temperature}}/equilibrate/series.dat",
        structure=f"{SAMPLE_DIR}/T{{temperature}}/structure.h5",
        peaks=f"{SAMPLE_DIR}/T{{temperature}}/structure.json",
    log:
        f"{LOGS}/glass/sample{{sample}}/T{{temperature}}/equilibrate.log",
    conda:
        "../envs/mgrelax.yaml"
    threads: lammps_threads("glass")
    resources:
        **lammps_resources("glass"),
    params:
        settings=settings_of("equilibrate"),
    script:
        "../../scripts/equilibrate.py"


rule inherent_structure:
    input:
        glass=rules.equilibrate.output.data,
    output:
        data=f"{SAMPLE_DIR}/T{{temperature}}/inherent/inherent.data",
        summary=f"{SAMPLE_DIR}/T{{temperature}}/inherent/minimization.json",
    log:
        f"{LOGS}/glass/sample{{sample}}/T{{temperature}}/inherent_structure.log",
    conda:
        "../envs/mgrelax.yaml"
    threads: lammps_threads("glass")
    resources:
        **lammps_resources("glass"),
    params:
        settings=settings_of("inherent_structure"),
    script:
        "../../scripts/inherent_structure.py"


rule glass_summary:
    input:
        transitions=expand(rules.glass_transition.output[0], sample=SAMPLES),
        tables=expand(rules.quench.output.table, sample=SAMPLES),
        structures=expand(
            rules.equilibrate.output.structure, sample=SAMPLES, temperature=TEMPERATURES
        ),
        inherent=expand(
            rules.inherent_structure.output.summary, sample=SAMPLES, temperature=TEMPERATURES
        ),
    output:
        **figure_files(
            "tg_figure",
            f"{GLASS}/figures/glass_transition",
            category="Glass",
            caption="../report/glass_transition.rst",
        ),
        **figure_files(
            "rdf_figure",
            f"{GLASS}/figures/pair_distribution",
            category="Glass",
            caption="../report/pair_distribution.rst",
        ),
        glass_transition=f"{GLASS}/glass_transition.csv",
        structure=f"{GLASS}/structure.csv",
        inherent=f"{GLASS}/inherent_structures.csv",
    log:
        f"{LOGS}/glass/summary.log",
    conda:
        "../envs/mgrelax.yaml"
    params:
        settings=settings_of("glass_summary"),
        figure_style=FIGURE_STYLE,
    script:
        "../../scripts/glass_summary.py"


rule glass:
    input:
        rules.glass_summary.output,
        expand(rules.inherent_structure.output.data, sample=SAMPLES, temperature=TEMPERATURES),
        [TG_RATE_TABLE, *figure_files("tg_rate_figure", TG_RATE_FIGURE).values()]
        if COOLING_RATE_STUDY
        else [],


rule quench_at_rate:
    input:
        liquid=rules.melt.output.data,
    output:
        data=f"{RATE_SAMPLE_DIR}/quench/quenched.data",
        series=f"{RATE_SAMPLE_DIR}/quench/series.dat",
        table=f"{RATE_SAMPLE_DIR}/quench/quench.h5",
    log:
        f"{LOGS}/glass/cooling_rate/q{{rate}}/sample{{sample}}/quench.log",
    conda:
        "../envs/mgrelax.yaml"
    threads: lammps_threads("glass")
    resources:
        **lammps_resources("glass"),
    params:
        settings=settings_of("quench_at_rate"),
        cooling_rate=lambda wildcards: EXTRA_RATES[wildcards.rate],
    script:
        "../../scripts/quench.py"


rule glass_transition_at_rate:
    input:
        table=rules.quench_at_rate.output.table,
    output:
        f"{RATE_SAMPLE_DIR}/glass_transition.json",
    log:
        f"{LOGS}/glass/cooling_rate/q{{rate}}/sample{{sample}}/glass_transition.log",
    conda:
        "../envs/mgrelax.yaml"
    params:
        settings=settings_of("glass_transition_at_rate"),
    script:
        "../../scripts/glass_transition.py"


# (cooling rate, sample) of every quench of the study: the campaign's own, then the extra rates'.
RATE_QUENCHES = [
    (rate, sample)
    for rate in [config["quench"]["cooling_rate"], *EXTRA_RATES.values()]
    for sample in SAMPLES
]


rule tg_cooling_rate:
    input:
        # in the order of RATE_QUENCHES
        transitions=expand(rules.glass_transition.output[0], sample=SAMPLES)
        + expand(rules.glass_transition_at_rate.output[0], rate=list(EXTRA_RATES), sample=SAMPLES),
    output:
        **figure_files(
            "tg_rate_figure",
            TG_RATE_FIGURE,
            category="Glass",
            caption="../report/tg_cooling_rate.rst",
        ),
        table=TG_RATE_TABLE,
    log:
        f"{LOGS}/glass/tg_cooling_rate.log",
    conda:
        "../envs/mgrelax.yaml"
    params:
        settings=settings_of("tg_cooling_rate"),
        cooling_rates=[rate for rate, _ in RATE_QUENCHES],
        samples=[sample for _, sample in RATE_QUENCHES],
        figure_style=FIGURE_STYLE,
    script:
        "../../scripts/tg_cooling_rate.py"
