# Glass preparation: melt -> quench (Tg) -> anneal -> equilibrate at each
# temperature (g(r)) -> inherent structure. One job folder per step, holding
# the rendered in.lammps, log.lammps, outputs and provenance.json.


rule melt:
    output:
        data=SAMPLE_DIR + "/melt/liquid.data",
        series=SAMPLE_DIR + "/melt/series.dat",
        check=SAMPLE_DIR + "/melt/liquid_check.json",
    params:
        settings=settings_of("melt"),
    log:
        LOGS + "/glass/sample{sample}/melt.log",
    threads: lammps_threads("glass")
    resources:
        **lammps_resources("glass"),
    script:
        "../../scripts/melt.py"


rule quench:
    input:
        liquid=rules.melt.output.data,
    output:
        data=SAMPLE_DIR + "/quench/quenched.data",
        series=SAMPLE_DIR + "/quench/series.dat",
        table=SAMPLE_DIR + "/quench/quench.h5",
    params:
        settings=settings_of("quench"),
    log:
        LOGS + "/glass/sample{sample}/quench.log",
    threads: lammps_threads("glass")
    resources:
        **lammps_resources("glass"),
    script:
        "../../scripts/quench.py"


rule glass_transition:
    input:
        table=rules.quench.output.table,
    output:
        SAMPLE_DIR + "/glass_transition.json",
    params:
        settings=settings_of("glass_transition"),
    log:
        LOGS + "/glass/sample{sample}/glass_transition.log",
    script:
        "../../scripts/glass_transition.py"


rule anneal:
    input:
        quenched=rules.quench.output.data,
    output:
        data=SAMPLE_DIR + "/anneal/annealed.data",
        series=SAMPLE_DIR + "/anneal/series.dat",
    params:
        settings=settings_of("anneal"),
    log:
        LOGS + "/glass/sample{sample}/anneal.log",
    threads: lammps_threads("glass")
    resources:
        **lammps_resources("glass"),
    script:
        "../../scripts/anneal.py"


rule equilibrate:
    input:
        annealed=rules.anneal.output.data,
    output:
        data=SAMPLE_DIR + "/T{temperature}/equilibrate/glass.data",
        series=SAMPLE_DIR + "/T{temperature}/equilibrate/series.dat",
        structure=SAMPLE_DIR + "/T{temperature}/structure.h5",
        peaks=SAMPLE_DIR + "/T{temperature}/structure.json",
    params:
        settings=settings_of("equilibrate"),
    log:
        LOGS + "/glass/sample{sample}/T{temperature}/equilibrate.log",
    threads: lammps_threads("glass")
    resources:
        **lammps_resources("glass"),
    script:
        "../../scripts/equilibrate.py"


rule inherent_structure:
    input:
        glass=rules.equilibrate.output.data,
    output:
        data=SAMPLE_DIR + "/T{temperature}/inherent/inherent.data",
        summary=SAMPLE_DIR + "/T{temperature}/inherent/minimization.json",
    params:
        settings=settings_of("inherent_structure"),
    log:
        LOGS + "/glass/sample{sample}/T{temperature}/inherent_structure.log",
    threads: lammps_threads("glass")
    resources:
        **lammps_resources("glass"),
    script:
        "../../scripts/inherent_structure.py"


rule glass_summary:
    input:
        transitions=expand(rules.glass_transition.output[0], sample=SAMPLES),
        tables=expand(rules.quench.output.table, sample=SAMPLES),
        structures=expand(rules.equilibrate.output.structure, sample=SAMPLES,
                          temperature=TEMPERATURES),
        inherent=expand(rules.inherent_structure.output.summary, sample=SAMPLES,
                        temperature=TEMPERATURES),
    output:
        glass_transition=GLASS + "/glass_transition.csv",
        structure=GLASS + "/structure.csv",
        inherent=GLASS + "/inherent_structures.csv",
        **figure_files("tg_figure", GLASS + "/figures/glass_transition", category="Glass",
                       caption="../report/glass_transition.rst"),
        **figure_files("rdf_figure", GLASS + "/figures/pair_distribution", category="Glass",
                       caption="../report/pair_distribution.rst"),
    params:
        settings=settings_of("glass_summary"),
        figure_style=FIGURE_STYLE,
    log:
        LOGS + "/glass/summary.log",
    script:
        "../../scripts/glass_summary.py"


rule glass:
    input:
        rules.glass_summary.output,
        expand(rules.inherent_structure.output.data, sample=SAMPLES, temperature=TEMPERATURES),
