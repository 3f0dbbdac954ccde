darurat-title = Emergency (112)
darurat-intro =
    If a life is in danger, call *112* immediately.
    Calls to 112 are free and answered 24 hours a day.
    Other emergency numbers:
    - 110 Police
    - 113 Fire brigade
    - 115 Search and rescue (Basarnas)
    - 118 or 119 Ambulance
    If you also want to report by message, please answer the following questions. Your report goes straight to the officers.
darurat-lokasi =
    Please share the location of the emergency: tap the attachment button (paper clip), choose Location, then send your current location.
    If you cannot, type *skip* and write the address in the next question.
    .label = Location
darurat-kategori = What is happening? Please type the number of your choice.
    .label = Emergency
darurat-kategori-kebakaran = Fire
darurat-kategori-kecelakaan = Accident
darurat-kategori-bencana = Flood, landslide, strong wind, or fallen tree
darurat-kategori-medis = Someone seriously ill, unconscious, or giving birth
darurat-kategori-kejahatan = Crime or fight
darurat-kategori-tenggelam_hilang = Someone drowning, swept away, trapped, or missing
darurat-kategori-lainnya = Other
darurat-keterangan =
    Please type a short description: what is happening, how many people are affected, and the address or a landmark.
    If there is no time, type *skip*.
    .label = Details
