//! A NetworkAttachmentDefinition's `spec.config`: a CNI configuration (or
//! a conflist, whose first plugin is the main one) as a JSON string. podnet
//! reads the plugin `type`, `vlan`, the master or bridge device and `ipam`
//! ([`super::ipam`]); other keys are the plugins' business and ignored. The
//! whole string is one field, so every problem is located at `spec.config`
//! and names the key inside the JSON.

use podnet_model::{CniConfig, CniType};
use serde_json::{Map, Value};

use super::ipam::ipam;
use crate::path::FieldPath;
use crate::validate::Checker;

/// Highest VLAN id the SR-IOV, OVS and bridge plugins accept.
const MAX_VLAN: u64 = 4094;

/// Reports problems inside a JSON config: at the config's field, naming
/// the key in the JSON.
pub struct Json<'a> {
    /// The field holding the JSON string (`spec.config`).
    pub at: &'a FieldPath,
    /// Where the problems go.
    pub c: &'a mut Checker,
}

impl Json<'_> {
    /// An error about JSON key `key`.
    pub fn error(&mut self, key: &str, message: impl std::fmt::Display) {
        self.c.error(self.at.clone(), format!("`{key}`: {message}"));
    }

    /// A warning about JSON key `key`.
    pub fn warn(&mut self, key: &str, message: impl std::fmt::Display) {
        self.c.warn(self.at.clone(), format!("`{key}`: {message}"));
    }

    /// The string at `key` of `obj` (`name` is its full JSON path), when
    /// present; an error when it is not a string.
    pub fn string<'v>(
        &mut self,
        obj: &'v Map<String, Value>,
        key: &str,
        name: &str,
    ) -> Option<&'v str> {
        match obj.get(key)? {
            Value::String(s) => Some(s),
            Value::Null => None,
            other => {
                self.error(name, format!("must be a string, not `{other}`"));
                None
            }
        }
    }
}

/// Parses `spec.config` (at `at`).
pub fn cni_config(text: &str, at: &FieldPath, c: &mut Checker) -> Option<CniConfig> {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            c.error(at.clone(), format!("invalid JSON in `spec.config`: {e}"));
            return None;
        }
    };
    let mut j = Json { at, c };
    let Value::Object(top) = &value else {
        j.c.error(at.clone(), "`spec.config` must be a JSON object");
        return None;
    };
    let (plugin, prefix) = match top.get("plugins") {
        None | Some(Value::Null) => (top, String::new()),
        Some(Value::Array(plugins)) => match plugins.first() {
            Some(Value::Object(first)) => (first, "plugins[0].".to_owned()),
            Some(_) => {
                j.error("plugins[0]", "must be an object");
                return None;
            }
            None => {
                j.error("plugins", "a conflist needs at least one plugin");
                return None;
            }
        },
        Some(_) => {
            j.error("plugins", "must be a list of plugin configurations");
            return None;
        }
    };
    plugin_config(plugin, &prefix, &mut j)
}

fn plugin_config(p: &Map<String, Value>, prefix: &str, j: &mut Json<'_>) -> Option<CniConfig> {
    let key = |k: &str| format!("{prefix}{k}");
    let Some(cni_type) = j.string(p, "type", &key("type")) else {
        j.error(&key("type"), "the plugin `type` is required");
        return None;
    };
    if cni_type.is_empty() {
        j.error(&key("type"), "the plugin `type` is required");
        return None;
    }
    let cni_type = CniType::from_name(cni_type);
    let vlan = match p.get("vlan") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(n) if n <= MAX_VLAN => u16::try_from(n).ok(),
            _ => {
                j.error(
                    &key("vlan"),
                    format!("`{v}` is not a VLAN id (0-{MAX_VLAN})"),
                );
                None
            }
        },
    };
    let master_key = if cni_type == CniType::HostDevice {
        "device"
    } else {
        "master"
    };
    let master = j.string(p, master_key, &key(master_key)).map(str::to_owned);
    let bridge = j.string(p, "bridge", &key("bridge")).map(str::to_owned);
    let ipam = match p.get("ipam") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => ipam(m, &key("ipam"), j),
        Some(_) => {
            j.error(&key("ipam"), "must be an object");
            None
        }
    };
    Some(CniConfig {
        cni_type,
        vlan,
        master,
        bridge,
        ipam,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use podnet_model::IpamKind;

    fn parse(text: &str) -> (Option<CniConfig>, Checker) {
        let mut c = Checker::default();
        let cfg = cni_config(text, &FieldPath::fields("spec.config"), &mut c);
        (cfg, c)
    }

    #[test]
    fn plugin_types_and_devices() {
        let (cfg, c) = parse(
            r#"{"cniVersion": "0.3.1", "type": "macvlan", "master": "eth1", "mode": "bridge"}"#,
        );
        assert!(!c.has_errors(), "{:?}", c.errors);
        let cfg = cfg.unwrap_or_default();
        assert_eq!(cfg.cni_type, CniType::Macvlan);
        assert_eq!(cfg.master.as_deref(), Some("eth1"));
        let (cfg, _) = parse(r#"{"type": "host-device", "device": "ens5"}"#);
        assert_eq!(cfg.and_then(|c| c.master).as_deref(), Some("ens5"));
        let (cfg, _) = parse(r#"{"type": "ovs", "bridge": "br-user", "vlan": 200}"#);
        let cfg = cfg.unwrap_or_default();
        assert_eq!((cfg.cni_type, cfg.vlan), (CniType::Ovs, Some(200)));
        assert_eq!(cfg.bridge.as_deref(), Some("br-user"));
        let (cfg, _) = parse(r#"{"type": "tuning"}"#);
        assert_eq!(
            cfg.map(|c| c.cni_type),
            Some(CniType::Other("tuning".into()))
        );
    }

    #[test]
    fn conflist_first_plugin_is_main() {
        let (cfg, c) = parse(
            r#"{"cniVersion": "0.4.0", "name": "n", "plugins": [
                {"type": "sriov", "vlan": 100, "ipam": {"type": "dhcp"}},
                {"type": "tuning"}]}"#,
        );
        assert!(!c.has_errors(), "{:?}", c.errors);
        let cfg = cfg.unwrap_or_default();
        assert_eq!(cfg.cni_type, CniType::Sriov);
        assert_eq!(cfg.vlan, Some(100));
        assert_eq!(cfg.ipam.map(|i| i.kind), Some(IpamKind::Dhcp));
    }

    #[test]
    fn errors_name_the_key() {
        for (text, needle) in [
            ("{not json", "invalid JSON in `spec.config`"),
            ("[1]", "must be a JSON object"),
            (r#"{"plugins": []}"#, "`plugins`"),
            (r#"{"master": "eth0"}"#, "`type`"),
            (r#"{"type": "sriov", "vlan": 5000}"#, "`vlan`"),
            (
                r#"{"plugins": [{"type": "ovs", "vlan": "x"}]}"#,
                "`plugins[0].vlan`",
            ),
            (r#"{"type": "bridge", "ipam": []}"#, "`ipam`"),
        ] {
            let (cfg, c) = parse(text);
            assert!(cfg.is_none() || c.has_errors(), "{text}");
            assert!(c.errors[0].1.contains(needle), "{text}: {:?}", c.errors);
            assert_eq!(c.errors[0].0.to_string(), "spec.config");
        }
    }
}
