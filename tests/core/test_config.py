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
         "an integer from 0 to 63 or a string"),
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


@pytest.mark.parametrize(
    ("text", "key", "found", "expected"),
    [
        ("[sync]\ninterval_seconds = nan\n", "sync.interval_seconds", "nan",
         "a number from 0.01 to 3600"),
        ("[devices.printer]\ntimeout = inf\n", "devices.printer.timeout", "inf",
         "more than 0 and at most 600"),
        ("[sync]\nheartbeat_seconds = 0.5\n", "sync.heartbeat_seconds", "0.5",
         "from 1 to 3600"),
        ('[sync]\nurl = "ftp://hall"\n', "sync.url", "'ftp://hall'", "http:// or https://"),
        ('[sync]\nurl = "http://hall:70000"\n', "sync.url", "'http://hall:70000'",
         "port is from 1 to 65535"),
        ('[sync]\nurl = "http://hall-server:8400"\n', "sync.token", "''",
         "token or token_file set when sync.url is set"),
        ("[sync]\nretries = 3\n", "sync.retries", "an unknown key", "one of url, token"),
        ("[timeouts]\nelder_factor = 20.0\n", "timeouts.elder_factor", "20.0", "from 1 to 5"),
        ("[devices.camera]\nsettings = { index = -1 }\n", "devices.camera.settings.index",
         "-1 (integer)", "an integer from 0 to 63 or a string"),
        ("[devices.locker]\nsettings = { doors = 0 }\n", "devices.locker.settings.doors",
         "0 (integer)", "from 1 to 128"),
        ("[devices.locker]\nsettings = { board = 300 }\n", "devices.locker.settings.board",
         "300", "from 0 to 255"),
        ("[devices.locker]\nsettings = { open_bit = true }\n",
         "devices.locker.settings.open_bit", "True (boolean)", "one of 0, 1"),
        ('[devices.printer]\ndriver = "network"\nport = "10.0.0.9:99999"\n',
         "devices.printer.port", "'10.0.0.9:99999'", "a port from 1 to 65535"),
        ("[devices.printer]\nsettings = { paper_width_mm = 80.0 }\n",
         "devices.printer.settings.paper_width_mm", "80.0 (number)", "one of 80, 58"),
        ('[hall]\nqueue_url = "hall/queue"\n', "hall.queue_url", "'hall/queue'", "http://"),
        ('[devices.locker]\ndriver = "kerong"\nsettings = { board = 16 }\n',
         "devices.locker.settings.board", "16 (integer)", "from 0 to 15 for driver kerong"),
        ('[devices.locker]\ndriver = "8a"\nsettings = { doors = 48 }\n',
         "devices.locker.settings.doors", "48 (integer)", "at most 24 doors"),
        ('[kiosk]\nid = ""\n', "kiosk.id", "'' (string)", "letters, digits"),
        ('[green_channel]\ngroups = ["pregnant", 3]\n', "green_channel.groups[1]",
         "3 (integer)", "a string"),
    ],
)
def test_ranges_finite_numbers_and_the_sync_section_are_checked(tmp_path, text, key, found,
                                                                 expected):
    """Given a value out of range, not finite, or of the wrong exact type, when loading, then
    one line names the file, the key, what was found and the range expected."""
    site = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(site)
    err = info.value
    assert (err.file, err.key) == (str(site), key)
    assert found in err.found and expected in err.expected, str(err)
    assert "\n" not in str(err)


def test_sync_defaults_are_standalone_and_a_token_file_wins(tmp_path):
    """Given the shipped defaults, then the kiosk is standalone with the documented timings;
    given a url with both token and token_file, then the file's token is the one used, and an
    unreadable token file is one ConfigError naming it."""
    from kiosk.config import sync_token

    sync = load_config(None).sync
    assert sync.standalone and sync.url == "" and sync_token(load_config(None)) == ""
    assert (sync.interval_seconds, sync.request_timeout_seconds, sync.max_backoff_seconds,
            sync.image_retention_days, sync.heartbeat_seconds) == (2.0, 10.0, 300.0, 0.0, 60.0)
    token_file = tmp_path / "token"
    token_file.write_text("from-file\n", encoding="utf-8")
    config = load_config(write(tmp_path, f'[sync]\nurl = "https://hall:8400"\ntoken = "inline"\n'
                                         f'token_file = "{token_file}"\n'))
    assert not config.sync.standalone and sync_token(config) == "from-file"
    token_file.unlink()
    with pytest.raises(ConfigError, match="sync.token_file"):
        sync_token(config)


def test_every_device_default_lives_in_the_schema(tmp_path):
    """Given a device table without settings, when loaded, then the settings hold the schema's
    defaults (the factory keeps none of its own) and read like the dict they used to be."""
    config = load_config(write(tmp_path, "[devices.scanner]\nsettings = {}\n"))
    scanner = config.devices.scanner.settings
    assert dict(scanner) == {"suffix": "cr", "gap_ms": 50, "max_key_gap_ms": 30, "min_length": 4}
    assert scanner.get("gap_ms") == 50 and "photo_decoder" not in config.devices.idcard.settings
    factory = (Path(__file__).resolve().parents[2] / "drivers" / "factory.py").read_text("utf-8")
    for default in ("0.1", "1280", "720", '"cr"', ", 50", ", 30", ", 4)"):
        assert default not in factory, default


def test_a_variant_of_a_loaded_config_is_validated_again(tmp_path):
    """Given a loaded configuration, when a caller derives a variant with dataclasses.replace,
    then the result is checked by the same models."""
    import dataclasses

    from pydantic import ValidationError

    config = load_config(None)
    other = dataclasses.replace(config, hall=dataclasses.replace(config.hall, code="QZ02"))
    assert other.hall.code == "QZ02" and other.devices == config.devices
    with pytest.raises(ValidationError):
        dataclasses.replace(config.timeouts, elder_factor=float("nan"))


def test_config_check_prints_the_sync_section(tmp_path, capsys):
    """Given a site reporting to a hall server with a token file, when `kiosk config check`
    runs, then the sync line names the server and where the token comes from, never the token."""
    from kiosk.cli import main

    token = tmp_path / "token"
    token.write_text("s3cret-token", encoding="utf-8")
    site = write(tmp_path, f'[sync]\nurl = "http://hall-server:8400"\ntoken_file = "{token}"\n')
    assert main(["--config", str(site), "config", "check"]) == 0
    out = capsys.readouterr().out
    assert f"sync     to http://hall-server:8400, token from {token}, every 2 s" in out
    assert "s3cret-token" not in out
    assert main(["config", "check"]) == 0
    assert "sync     standalone" in capsys.readouterr().out


def test_a_hand_built_device_config_is_validated_by_the_same_settings_model(tmp_path):
    """Given a DeviceConfig built in code with a plain settings dict, when the factory builds
    the device, then defaults come from the schema and a wrong value is one clear line."""
    from config.schema import DeviceConfig
    from drivers.factory import UnknownDriver, build_device, settings_of

    locker = DeviceConfig(driver="simulated", settings={"doors": 12})
    assert dict(settings_of("locker", locker))["retries"] == 3
    assert build_device("locker", locker, simulate=False, data_dir=tmp_path).doors == 12
    wrong = DeviceConfig(driver="simulated", settings={"doors": "twelve"})
    with pytest.raises(UnknownDriver) as info:
        build_device("locker", wrong, simulate=False, data_dir=tmp_path)
    assert str(info.value) == ("devices.locker.settings.doors: found 'twelve' (string), "
                               "expected an integer from 1 to 128")


def test_the_readme_sync_example_is_valid(tmp_path):
    """Given the [sync] example in README.md, when loaded, then it validates as a kiosk that
    reports to a hall server (the docs cannot drift from the schema)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = next(block.split("```", 1)[0] for block in readme.split("```toml\n")[1:]
                   if block.startswith("[sync]"))
    config = load_config(write(tmp_path, example))
    assert config.sync.url == "http://hall-server:8080" and not config.sync.standalone
    assert config.sync.token_file == "/etc/kiosk/token"
