//! Globals whose import or call in a pickle runs code: the union of the denylists of modelscan
//! 0.8.8, picklescan 1.0.5 and fickling 0.1.12 (see `../shared/notes/formats.md`).
//!
//! A module entry also matches its submodules (`os` matches `os.path`), as picklescan's
//! parent-module wildcards do. `builtins` is listed by name, since pickles of ordinary data
//! use harmless builtins such as `set`, `slice` and `bytearray`.

/// Modules every global of which is dangerous.
const MODULES: &[&str] = &[
    "os",
    "posix",
    "nt",
    "subprocess",
    "sys",
    "socket",
    "runpy",
    "pickle",
    "_pickle",
    "shutil",
    "asyncio",
    "pty",
    "bdb",
    "pdb",
    "commands",
    "webbrowser",
    "httplib",
    "http",
    "urllib",
    "urllib2",
    "requests",
    "aiohttp",
    "ftplib",
    "smtplib",
    "telnetlib",
    "code",
    "codeop",
    "importlib",
    "ctypes",
    "marshal",
    "multiprocessing",
    "dill",
    "cloudpickle",
    "platform",
    "signal",
    "tempfile",
    "glob",
    "pip",
    "venv",
    "distutils",
    "setuptools",
    "torch.hub",
    "torch.jit",
    "torch.serialization",
    "numpy.testing._private.utils",
    "numpy.f2py",
    "pydoc",
    "timeit",
    "trace",
    "profile",
    "cProfile",
    "_posixsubprocess",
    "_thread",
    "threading",
];

/// Dangerous names in modules that are otherwise used by ordinary pickles.
const NAMES: &[(&str, &[&str])] = &[
    (
        "builtins",
        &[
            "eval",
            "exec",
            "execfile",
            "compile",
            "open",
            "input",
            "breakpoint",
            "getattr",
            "setattr",
            "delattr",
            "__import__",
            "apply",
            "globals",
            "locals",
            "vars",
            "memoryview",
            "help",
            "exit",
            "quit",
        ],
    ),
    ("operator", &["attrgetter", "itemgetter", "methodcaller"]),
    ("functools", &["partial", "reduce"]),
    (
        "types",
        &["CodeType", "FunctionType", "MethodType", "ModuleType"],
    ),
    ("io", &["open", "FileIO", "open_code"]),
    ("_io", &["open", "FileIO", "open_code"]),
    ("pathlib", &["Path", "PosixPath", "WindowsPath"]),
    ("numpy", &["load", "fromfile", "loadtxt"]),
    ("torch", &["load", "compile"]),
];

/// True when importing or calling `module.name` during unpickling can run code, touch files
/// or open connections.
pub fn is_dangerous(module: &str, name: &str) -> bool {
    // Python 2 spellings of builtins.
    let module = match module {
        "__builtin__" | "__builtins__" => "builtins",
        other => other,
    };
    if module == "builtins" || NAMES.iter().any(|(m, _)| *m == module) {
        return NAMES
            .iter()
            .any(|(m, names)| *m == module && names.contains(&name));
    }
    MODULES.iter().any(|listed| {
        module == *listed
            || module
                .strip_prefix(listed)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

#[cfg(test)]
mod tests {
    use super::is_dangerous;

    #[test]
    fn code_execution_globals_are_dangerous() {
        assert!(is_dangerous("posix", "system"));
        assert!(is_dangerous("os.path", "join"));
        assert!(is_dangerous("builtins", "eval"));
        assert!(is_dangerous("__builtin__", "getattr"));
        assert!(is_dangerous("subprocess", "Popen"));
    }

    #[test]
    fn ordinary_globals_are_not() {
        assert!(!is_dangerous("builtins", "set"));
        assert!(!is_dangerous("numpy", "dtype"));
        assert!(!is_dangerous("osgeo", "gdal"));
        assert!(!is_dangerous(
            "sklearn.ensemble._forest",
            "RandomForestClassifier"
        ));
        assert!(!is_dangerous("collections", "OrderedDict"));
    }
}
