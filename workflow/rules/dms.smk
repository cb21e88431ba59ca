# MD dynamic mechanical spectroscopy on the equilibrated glasses: one LAMMPS job
# per (sample, temperature, mode, period, amplitude), fitted as it finishes; the
# inherent structures at its start and after one period, with IS D_min and D2min
# between them; then tables, spectra, maps and the scaling law.

from mgrelax.plan import dms_correspondence_jobs, dms_sweep_jobs

DMS = f"{RESULTS}/dms"
DMS_POINT = f"{DMS}/sample{{sample}}/T{{temperature}}/{{mode}}/tw{{period}}_a{{amplitude}}"
DMS_SETTINGS = config["dms"]
DMS_TEMPERATURES = [
    number_label(t) for t in DMS_SETTINGS.get("temperatures", config["temperatures"])
]
SWEEP = DMS_SETTINGS["amplitude_sweep"]
CORRESPONDENCE = DMS_SETTINGS["correspondence"]


wildcard_constraints:
    mode="shear|uniaxial|isostatic",
    period=r"[0-9.e+-]+",
    amplitude=r"[0-9.e+-]+",


rule dms:
    input:
        glass=rules.equilibrate.output.data,
    output:
        series=f"{DMS_POINT}/series.dat",
        fit=f"{DMS_POINT}/fit.json",
        start=f"{DMS_POINT}/start.dump",
        one_period=f"{DMS_POINT}/one_period.dump",
    log:
        f"{LOGS}/dms/sample{{sample}}/T{{temperature}}/{{mode}}/tw{{period}}_a{{amplitude}}.log",
    conda:
        "../envs/mgrelax.yaml"
    threads: lammps_threads("dms")
    resources:
        **lammps_resources("dms"),
    params:
        settings=settings_of("dms"),
    script:
        "../../scripts/dms.py"


rule dms_cycle_figure:
    input:
        series=rules.dms.output.series,
        fit=rules.dms.output.fit,
    output:
        **figure_files("figure", f"{DMS_POINT}/cycle"),
    log:
        f"{LOGS}/dms/sample{{sample}}/T{{temperature}}/{{mode}}/tw{{period}}_a{{amplitude}}_cycle.log",
    conda:
        "../envs/mgrelax.yaml"
    params:
        settings=settings_of("dms_cycle_figure"),
        figure_style=FIGURE_STYLE,
    script:
        "../../scripts/dms_cycle_figure.py"


rule dms_displacement:
    input:
        glass=rules.equilibrate.output.data,
        peaks=rules.equilibrate.output.peaks,
        start=rules.dms.output.start,
        one_period=rules.dms.output.one_period,
    output:
        record=f"{DMS_POINT}/displacement.json",
        d2min=f"{DMS_POINT}/d2min.dump",
        is_displacement=f"{DMS_POINT}/is_displacement.dump",
    log:
        f"{LOGS}/dms/sample{{sample}}/T{{temperature}}/{{mode}}/tw{{period}}_a{{amplitude}}_displacement.log",
    conda:
        "../envs/mgrelax.yaml"
    threads: lammps_threads("dms")
    resources:
        **lammps_resources("dms"),
    params:
        settings=settings_of("dms_displacement"),
    script:
        "../../scripts/dms_displacement.py"


rule dms_slice_figure:
    input:
        d2min=rules.dms_displacement.output.d2min,
        record=rules.dms_displacement.output.record,
    output:
        **figure_files("figure", f"{DMS_POINT}/d2min_slice"),
    log:
        f"{LOGS}/dms/sample{{sample}}/T{{temperature}}/{{mode}}/tw{{period}}_a{{amplitude}}_slice.log",
    conda:
        "../envs/mgrelax.yaml"
    params:
        settings=settings_of("dms_slice_figure"),
        figure_style=FIGURE_STYLE,
    script:
        "../../scripts/dms_slice_figure.py"


rule dms_summary:
    input:
        fits=dms_grid(rules.dms.output.fit),
        displacements=dms_grid(rules.dms_displacement.output.record),
    output:
        **figure_files(
            "spectra_figure",
            f"{DMS}/figures/spectra",
            category="Dynamic mechanical spectroscopy",
            caption="../report/dms_spectra.rst",
        ),
        **figure_files(
            "maps_figure",
            f"{DMS}/figures/maps",
            category="Dynamic mechanical spectroscopy",
            caption="../report/dms_maps.rst",
        ),
        **figure_files(
            "temperature_figure",
            f"{DMS}/figures/temperature",
            category="Dynamic mechanical spectroscopy",
            caption="../report/dms_temperature.rst",
        ),
        **figure_files(
            "scaling_figure",
            f"{DMS}/figures/scaling_law",
            category="Dynamic mechanical spectroscopy",
            caption="../report/dms_scaling_law.rst",
        ),
        points=f"{DMS}/moduli.csv",
        spectra=f"{DMS}/spectra.csv",
        correspondence=f"{DMS}/correspondence.csv",
        loss_spectra=f"{DMS}/loss_spectrum_kww.csv",
        scaling_law=f"{DMS}/scaling_law.json",
    log:
        f"{LOGS}/dms/summary.log",
    conda:
        "../envs/mgrelax.yaml"
    params:
        settings=settings_of("dms_summary"),
        figure_style=FIGURE_STYLE,
    script:
        "../../scripts/dms_summary.py"


rule dms_loading_figure:
    # Fusco Fig. 9: the correspondence point's last cycle in the three loading modes.
    input:
        series=expand_jobs(rules.dms.output.series, dms_correspondence_jobs(config, [0])),
        fits=expand_jobs(rules.dms.output.fit, dms_correspondence_jobs(config, [0])),
    output:
        **figure_files(
            "figure",
            f"{DMS}/figures/loading_modes",
            category="Dynamic mechanical spectroscopy",
            caption="../report/dms_loading_modes.rst",
        ),
    log:
        f"{LOGS}/dms/loading_modes.log",
    conda:
        "../envs/mgrelax.yaml"
    params:
        settings=settings_of("dms_loading_figure"),
        figure_style=FIGURE_STYLE,
    script:
        "../../scripts/dms_loading_figure.py"


rule dms_amplitude_sweep:
    input:
        fits=expand_jobs(rules.dms.output.fit, dms_sweep_jobs(config)),
    output:
        **figure_files(
            "figure",
            f"{DMS}/figures/amplitude_sweep",
            category="Dynamic mechanical spectroscopy",
            caption="../report/dms_amplitude_sweep.rst",
        ),
        table=f"{DMS}/amplitude_sweep.csv",
    log:
        f"{LOGS}/dms/amplitude_sweep.log",
    conda:
        "../envs/mgrelax.yaml"
    params:
        settings=settings_of("dms_amplitude_sweep"),
        figure_style=FIGURE_STYLE,
    script:
        "../../scripts/dms_amplitude_sweep.py"


DMS_RUN_FIGURES = (
    dms_grid(rules.dms_cycle_figure.output) + dms_grid(rules.dms_slice_figure.output)
    if DMS_SETTINGS["periods"]
    else []
)


rule dms_all:
    input:
        rules.dms_summary.output if DMS_SETTINGS["periods"] else [],
        rules.dms_loading_figure.output if DMS_SETTINGS["periods"] and CORRESPONDENCE else [],
        rules.dms_amplitude_sweep.output if SWEEP["amplitudes"] else [],
