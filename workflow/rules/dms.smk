# MD dynamic mechanical spectroscopy on the equilibrated glasses: one LAMMPS job
# per (sample, temperature, mode, period, amplitude), fitted as it finishes; the
# inherent structures at its start and after one period, with IS D_min and D2min
# between them; then tables, spectra, maps and the scaling law.

from mgrelax.plan import dms_correspondence_jobs, dms_grid_jobs, dms_sweep_jobs

DMS = RESULTS + "/dms"
DMS_POINT = DMS + "/sample{sample}/T{temperature}/{mode}/tw{period}_a{amplitude}"
DMS_SETTINGS = config["dms"]
DMS_TEMPERATURES = [number_label(t)
                    for t in DMS_SETTINGS.get("temperatures", config["temperatures"])]
SWEEP = DMS_SETTINGS["amplitude_sweep"]
CORRESPONDENCE = DMS_SETTINGS["correspondence"]


wildcard_constraints:
    mode="shear|uniaxial|isostatic",
    period=r"[0-9.e+-]+",
    amplitude=r"[0-9.e+-]+",


def dms_grid(rule_output):
    """``rule_output`` of every point of the temperature x mode x period grid and of the
    correspondence point in its three modes (mgrelax.plan.dms_grid_jobs)."""
    return sorted(set(expand_jobs(rule_output, dms_grid_jobs(config))))


rule dms:
    input:
        glass=rules.equilibrate.output.data,
    output:
        series=DMS_POINT + "/series.dat",
        fit=DMS_POINT + "/fit.json",
        start=DMS_POINT + "/start.dump",
        one_period=DMS_POINT + "/one_period.dump",
    params:
        settings=settings_of("dms"),
    log:
        LOGS + "/dms/sample{sample}/T{temperature}/{mode}/tw{period}_a{amplitude}.log",
    threads: lammps_threads("dms")
    resources:
        **lammps_resources("dms"),
    script:
        "../../scripts/dms.py"


rule dms_cycle_figure:
    input:
        series=rules.dms.output.series,
        fit=rules.dms.output.fit,
    output:
        **figure_files("figure", DMS_POINT + "/cycle"),
    params:
        settings=settings_of("dms_cycle_figure"),
        figure_style=FIGURE_STYLE,
    log:
        LOGS + "/dms/sample{sample}/T{temperature}/{mode}/tw{period}_a{amplitude}_cycle.log",
    script:
        "../../scripts/dms_cycle_figure.py"


rule dms_displacement:
    input:
        glass=rules.equilibrate.output.data,
        peaks=rules.equilibrate.output.peaks,
        start=rules.dms.output.start,
        one_period=rules.dms.output.one_period,
    output:
        record=DMS_POINT + "/displacement.json",
        d2min=DMS_POINT + "/d2min.dump",
    params:
        settings=settings_of("dms_displacement"),
    log:
        LOGS + "/dms/sample{sample}/T{temperature}/{mode}/tw{period}_a{amplitude}_displacement.log",
    threads: lammps_threads("dms")
    resources:
        **lammps_resources("dms"),
    script:
        "../../scripts/dms_displacement.py"


rule dms_slice_figure:
    input:
        d2min=rules.dms_displacement.output.d2min,
        record=rules.dms_displacement.output.record,
    output:
        **figure_files("figure", DMS_POINT + "/d2min_slice"),
    params:
        settings=settings_of("dms_slice_figure"),
        figure_style=FIGURE_STYLE,
    log:
        LOGS + "/dms/sample{sample}/T{temperature}/{mode}/tw{period}_a{amplitude}_slice.log",
    script:
        "../../scripts/dms_slice_figure.py"


rule dms_summary:
    input:
        fits=dms_grid(rules.dms.output.fit),
        displacements=dms_grid(rules.dms_displacement.output.record),
    output:
        points=DMS + "/moduli.csv",
        spectra=DMS + "/spectra.csv",
        correspondence=DMS + "/correspondence.csv",
        loss_spectra=DMS + "/loss_spectrum_kww.csv",
        scaling_law=DMS + "/scaling_law.json",
        **figure_files("spectra_figure", DMS + "/figures/spectra",
                       category="Dynamic mechanical spectroscopy",
                       caption="../report/dms_spectra.rst"),
        **figure_files("maps_figure", DMS + "/figures/maps",
                       category="Dynamic mechanical spectroscopy",
                       caption="../report/dms_maps.rst"),
        **figure_files("temperature_figure", DMS + "/figures/temperature",
                       category="Dynamic mechanical spectroscopy",
                       caption="../report/dms_temperature.rst"),
        **figure_files("scaling_figure", DMS + "/figures/scaling_law",
                       category="Dynamic mechanical spectroscopy",
                       caption="../report/dms_scaling_law.rst"),
    params:
        settings=settings_of("dms_summary"),
        figure_style=FIGURE_STYLE,
    log:
        LOGS + "/dms/summary.log",
    script:
        "../../scripts/dms_summary.py"


rule dms_loading_figure:
    # Fusco Fig. 9: the correspondence point's last cycle in the three loading modes.
    input:
        series=expand_jobs(rules.dms.output.series, dms_correspondence_jobs(config, [0])),
        fits=expand_jobs(rules.dms.output.fit, dms_correspondence_jobs(config, [0])),
    output:
        **figure_files("figure", DMS + "/figures/loading_modes",
                       category="Dynamic mechanical spectroscopy",
                       caption="../report/dms_loading_modes.rst"),
    params:
        settings=settings_of("dms_loading_figure"),
        figure_style=FIGURE_STYLE,
    log:
        LOGS + "/dms/loading_modes.log",
    script:
        "../../scripts/dms_loading_figure.py"


rule dms_amplitude_sweep:
    input:
        fits=expand_jobs(rules.dms.output.fit, dms_sweep_jobs(config)),
    output:
        table=DMS + "/amplitude_sweep.csv",
        **figure_files("figure", DMS + "/figures/amplitude_sweep",
                       category="Dynamic mechanical spectroscopy",
                       caption="../report/dms_amplitude_sweep.rst"),
    params:
        settings=settings_of("dms_amplitude_sweep"),
        figure_style=FIGURE_STYLE,
    log:
        LOGS + "/dms/amplitude_sweep.log",
    script:
        "../../scripts/dms_amplitude_sweep.py"


DMS_RUN_FIGURES = dms_grid(rules.dms_cycle_figure.output) + dms_grid(
    rules.dms_slice_figure.output) if DMS_SETTINGS["periods"] else []


rule dms_all:
    input:
        rules.dms_summary.output if DMS_SETTINGS["periods"] else [],
        rules.dms_loading_figure.output if DMS_SETTINGS["periods"] and CORRESPONDENCE else [],
        rules.dms_amplitude_sweep.output if SWEEP["amplitudes"] else [],
