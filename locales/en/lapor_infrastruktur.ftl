lapor_infrastruktur-title = Roads, Street Lights, Drains, and Rubbish
lapor_infrastruktur-intro =
    Thank you. Before we start, please have ready:
    - one clear photo of the damage or problem
    - the location of the place (share it from your phone)
    - a landmark near the place, for example a shop, mosque, or school
    Reports about national or provincial roads will be passed on to the authority in charge.
    If lives are in danger right now, call *112* immediately (free, 24 hours).
lapor_infrastruktur-jenis = What would you like to report? Please type the number of your choice.
    .label = Type of report
lapor_infrastruktur-jenis-jalan_rusak = Damaged road or pothole
lapor_infrastruktur-jenis-jembatan = Damaged bridge
lapor_infrastruktur-jenis-lampu_jalan = Street light (PJU) not working
lapor_infrastruktur-jenis-drainase_banjir = Blocked drain, standing water, or flooding
lapor_infrastruktur-jenis-sampah = Rubbish piling up or not collected
lapor_infrastruktur-jenis-pohon_tumbang = Fallen tree
lapor_infrastruktur-jenis-pohon_rawan = Tree needs pruning or felling
lapor_infrastruktur-jenis-lainnya = Other
lapor_infrastruktur-foto =
    Please send one clear photo of the damage or problem.
    Try to take it from close by and keep it sharp.
    .label = Photo
lapor_infrastruktur-lokasi =
    Please share the location of the place: tap the attachment button (paper clip), choose Location, then send your current location or move the pin to the place. If you cannot, type the address (street, RT, village).
    .label = Location
lapor_infrastruktur-patokan =
    Please type a landmark near the place so the officers can find it easily.
    Example: *In front of Al-Ikhlas mosque, near the market, RT 05*.
    .label = Landmark
lapor_infrastruktur-bahaya =
    How dangerous is it? Please type the number of your choice.
    - Minor: a nuisance, not yet dangerous.
    - Moderate: makes things hard for road users or residents.
    - Dangerous: may cause an accident or injuries.
    If someone is already hurt or there is danger right now, call *112* immediately.
    .label = Danger level
lapor_infrastruktur-bahaya-ringan = Minor
lapor_infrastruktur-bahaya-sedang = Moderate
lapor_infrastruktur-bahaya-membahayakan = Dangerous
lapor_infrastruktur-ringkasan = Please check your report:
