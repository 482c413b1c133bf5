"""Configuration: shipped defaults load, site files override, and every mistake is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import DEFAULTS_FILE, ConfigError, database_url, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_load_with_simulated_devices():
    """Given no site file, when loading, then the shipped defaults describe a simulated kiosk."""
    config = load_config(None)
    assert config.hall.name == "泉州市行政服务中心"
    assert config.devices.idcard.driver == "simulated"
    assert config.devices.idcard.baud == 115200
    assert config.timeouts.idle_warning_seconds < config.timeouts.idle_seconds


def test_site_file_overrides_one_key_and_keeps_the_rest(tmp_path):
    """Given a site file setting the printer, when loading, then only those keys change."""
    site = write(tmp_path,
                 '[devices.printer]\ndriver = "serial"\nsettings = { encoding = "gbk" }\n')
    config = load_config(site)
    assert config.devices.printer.driver == "serial"
    assert config.devices.printer.settings["encoding"] == "gbk"
    # settings merge key by key: the shipped paper width survives
    assert config.devices.printer.settings["paper_width_mm"] == 80
    assert config.devices.printer.baud == 19200


def test_env_var_names_the_site_file(tmp_path, monkeypatch):
    site = write(tmp_path, '[kiosk]\nid = "K07"\n')
    monkeypatch.setenv("KIOSK_CONFIG", str(site))
    assert load_config(None).kiosk.id == "K07"


@pytest.mark.parametrize(
    ("text", "key", "found", "expected"),
    [
        ('[devices.printer]\nbaud = "fast"\n', "devices.printer.baud", "'fast' (string)",
         "an integer"),
        ('[devices.printer]\nbaud = 12345\n', "devices.printer.baud", "12345 (integer)",
         "a standard baud rate"),
        ('[kiosk]\nlangauge = "zh"\n', "kiosk.langauge", "an unknown key", "one of id, language"),
        ('[kiosk]\nlanguage = "fr"\n', "kiosk.language", "'fr' (string)", "one of zh, en"),
        ('[devices.locker]\ndriver = "acme"\n', "devices.locker.driver", "'acme'",
         "one of simulated, 8a, kerong"),
        ('[timeouts]\nidle_seconds = 5\n', "timeouts.idle_seconds", "5 (integer)",
         "an integer from 10 to 3600"),
        ('[timeouts]\nidle_warning_seconds = 90\n', "timeouts.idle_warning_seconds", "90",
         "fewer seconds than timeouts.idle_seconds"),
        ('[hall]\ntimezone = "Mars/Olympus"\n', "hall.timezone", "'Mars/Olympus'",
         "an IANA time zone"),
        ('[green_channel]\ngroups = "pregnant"\n', "green_channel.groups", "'pregnant'",
         "a list of strings"),
        ('[devices.scanner]\ntimeout = true\n', "devices.scanner.timeout", "True (boolean)",
         "a number"),
        ("hall = 3\n", "hall", "3 (integer)", "a table"),
    ],
)
def test_a_bad_key_names_file_key_found_and_expected(tmp_path, text, key, found, expected):
    """Given a site file with one mistake, when loading, then the error names all four parts."""
    site = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(site)
    err = info.value
    assert err.file == str(site)
    assert err.key == key
    assert found in err.found
    assert expected in err.expected
    assert str(site) in str(err) and key in str(err)


def test_broken_toml_syntax_names_the_file(tmp_path):
    site = write(tmp_path, "[kiosk\nid = 1\n")
    with pytest.raises(ConfigError, match="invalid TOML") as info:
        load_config(site)
    assert info.value.file == str(site)


def test_missing_site_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "nope.toml")


def test_database_defaults_to_sqlite_in_the_data_dir(tmp_path):
    site = write(tmp_path, f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n')
    url = database_url(load_config(site))
    assert url == f"sqlite:///{tmp_path / 'data' / 'kiosk.sqlite3'}"
    assert (tmp_path / "data").is_dir()


def test_defaults_file_is_the_one_shipped():
    assert DEFAULTS_FILE.name == "defaults.toml" and DEFAULTS_FILE.is_file()


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("[devices.locker]\nsettings = { open_bitt = 1 }\n", "devices.locker.settings.open_bitt",
         "one of board, doors, open_bit"),
        ("[devices.locker]\nsettings = { open_bit = 2 }\n", "devices.locker.settings.open_bit",
         "one of 0, 1"),
        ('[devices.printer]\nsettings = { encoding = "utf8" }\n',
         "devices.printer.settings.encoding", "one of gb18030, gbk"),
        ('[devices.locker]\nsettings = { board = "one" }\n', "devices.locker.settings.board",
         "an integer"),
        ("[devices.camera]\nsettings = { index = 1.5 }\n", "devices.camera.settings.index",
         "an integer or a string"),
    ],
)
def test_device_settings_are_checked_per_kind(tmp_path, text, key, expected):
    """Given a wrong device setting, when loading, then start-up is refused naming the setting."""
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert info.value.key == key
    assert expected in info.value.expected


def test_config_check_command_summarises_each_device(tmp_path, capsys):
    """Given a site file with real drivers, when `kiosk config check` runs, then each device is
    listed with only what matters for its connection."""
    from kiosk.cli import main

    site = write(tmp_path, '[devices.idcard]\ndriver = "sam"\nport = "/dev/ttyUSB0"\n'
                           '[devices.printer]\ndriver = "network"\nport = "10.0.0.9:9100"\n'
                           '[devices.camera]\ndriver = "opencv"\nsettings = { index = 1 }\n'
                           '[devices.locker]\nenabled = false\n')
    assert main(["--config", str(site), "config", "check"]) == 0
    out = capsys.readouterr().out
    assert "idcard   sam on /dev/ttyUSB0 @ 115200 baud" in out
    assert "printer  network at 10.0.0.9:9100" in out
    assert "camera   opencv camera 1" in out
    assert "locker   simulated (off)" in out


def test_config_check_command_fails_with_one_clear_line(tmp_path, capsys):
    from kiosk.cli import main

    site = write(tmp_path, '[devices.printer]\nbaud = "fast"\n')
    assert main(["--config", str(site), "config", "check"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"kiosk: configuration error: {site}: devices.printer.baud: found 'fast' "
                   "(string), expected an integer"]


@pytest.mark.parametrize("url", ["postgresql://kiosk:pw@127.0.0.1:1/hall",
                                 "sqlite:////nonexistent-dir/kiosk.sqlite3"])
def test_an_unreachable_database_is_one_clear_line_not_a_traceback(tmp_path, capsys, url):
    """Given a site file naming a database that cannot be opened (server down, missing folder),
    when a command needs it, then it exits 4 with one line naming the reason and the setting."""
    from kiosk.cli import main

    site = write(tmp_path, f'[kiosk]\ndata_dir = "{tmp_path}"\ndatabase = "{url}"\n')
    assert main(["--config", str(site), "queue", "status"]) == 4
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("kiosk: the database cannot be used: ")
    assert "check kiosk.database" in err[0]


def test_the_readme_example_site_file_is_valid(tmp_path):
    """Given the example site file in README.md, when loaded, then it validates and means what
    the README says (the docs cannot drift from the schema)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    config = load_config(write(tmp_path, example))
    assert config.kiosk.database.startswith("postgresql://")
    assert (config.devices.idcard.driver, config.devices.idcard.baud) == ("sam", 115200)
    assert config.devices.printer.settings["encoding"] == "gbk"
    assert config.devices.locker.settings["doors"] == 24
