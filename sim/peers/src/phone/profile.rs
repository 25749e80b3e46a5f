//! A phone configuration from a profile's `[hybrid]` table: the profile names the wire
//! behaviour, [`PhoneConfig::apply_hybrid_profile`] sets the fields that carry it out.

use super::{PhoneConfig, UpdateTiming};
use hybridsim_ctap::profile::hybrid::{
    AdvertForm, ChannelName, CrypterName, HybridProfile, Key6ReadingName, UpdateWhen,
};
use hybridsim_proto::channels::{Channel, Key6Reading, SuffixKeys};
use hybridsim_proto::crypter::Construction;
use hybridsim_proto::message::ProtocolRevision;

impl<H> PhoneConfig<H> {
    /// Sets every wire field the profile's `[hybrid]` table names: tunnel domain, service
    /// UUID, advert form and PSM, channels, update timing, linking, features, key 6
    /// reading, revision and crypter.
    pub fn apply_hybrid_profile(&mut self, hybrid: &HybridProfile) {
        self.domain_id = hybrid.tunnel_domain;
        self.advert_uuid = hybrid.service_uuid.value();
        self.advert_suffix = match hybrid.advert {
            AdvertForm::Exact => None,
            AdvertForm::SuffixChannelKeyed => Some(SuffixKeys::ChannelKeyed),
            AdvertForm::SuffixIdKeyed => Some(SuffixKeys::IdKeyed),
        };
        self.ble_psm = hybrid.ble_psm;
        self.channels = hybrid.channels.iter().map(|c| channel(*c)).collect();
        self.update = match hybrid.update {
            UpdateWhen::Never => UpdateTiming::Never,
            UpdateWhen::AfterPostHandshake => UpdateTiming::AfterPostHandshake,
            UpdateWhen::AfterCtapReply => UpdateTiming::AfterCtapReply,
        };
        self.offer_linking = hybrid.linking;
        self.features.clone_from(&hybrid.features);
        self.key6_reading = key6_reading(hybrid.qr_key6);
        self.revision = if hybrid.revision == 0 {
            ProtocolRevision::V0
        } else {
            ProtocolRevision::V1
        };
        self.construction = match hybrid.crypter {
            CrypterName::New => Construction::New,
            CrypterName::Old => Construction::Old,
        };
    }
}

fn channel(name: ChannelName) -> Channel {
    match name {
        ChannelName::Websocket => Channel::WebSocket,
        ChannelName::Ble => Channel::Ble,
    }
}

fn key6_reading(name: Key6ReadingName) -> Key6Reading {
    match name {
        Key6ReadingName::Ignored => Key6Reading::Ignored,
        Key6ReadingName::AbsentOnly => Key6Reading::AbsentOnly,
        Key6ReadingName::Bool => Key6Reading::Bool,
        Key6ReadingName::BoolRejectsArray => Key6Reading::BoolRejectsArray,
        Key6ReadingName::Channels => Key6Reading::Channels,
    }
}
