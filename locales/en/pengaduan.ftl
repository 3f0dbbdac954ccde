pengaduan-title = Complaint
pengaduan-kategori = What is your complaint about? Please type the number of your choice.
    .label = Category
pengaduan-kategori-pelayanan_publik = Service at a government office (staff, queues, fees)
pengaduan-kategori-infrastruktur = Roads, street lights, drains, rubbish, or fallen trees
pengaduan-kategori-air_bersih = Clean water (PDAM)
pengaduan-kategori-ketertiban = Public order (noise, illegal parking)
pengaduan-kategori-lingkungan = Environment (pollution, smoke, smell)
pengaduan-kategori-kesehatan = Health services
pengaduan-kategori-pendidikan = Education
pengaduan-kategori-lainnya = Other
pengaduan-isi =
    Please describe your complaint in one message: what happened, where, and when (at least 30 characters).
    Example: *On 20-11-2026 at 10.00 at the counter of the Waru district office, I was asked to pay for a cover letter.*
    .label = Complaint
pengaduan-tanggal_kejadian =
    When did it happen? Please type day-month-year. Example: *20-11-2026*.
    If you do not remember, type *skip*.
    .label = Date of incident
pengaduan-lokasi =
    If it happened at a particular place, please share the location: tap the attachment button (paper clip), choose Location, then send.
    If not needed, type *skip*.
    .label = Location
pengaduan-lampiran =
    If you have a supporting photo, please send one clear photo.
    If not, type *skip*.
    .label = Attachment
pengaduan-kerahasiaan =
    How should your identity be handled? Please type the number of your choice.
    - Normal: your name is passed to the agency handling it.
    - Confidential: your name and number are not passed to the agency.
    - Anonymous: no name is recorded; status updates still come to this chat.
    .label = Reporter's identity
pengaduan-kerahasiaan-biasa = Normal
pengaduan-kerahasiaan-rahasia = Confidential
pengaduan-kerahasiaan-anonim = Anonymous (no name)
pengaduan-nama = Please type your full name.
    .label = Reporter's name
pengaduan-telepon_lain =
    If the officer should call you on a number other than this chat, please type it. Example: *0812-3456-7890*.
    If there is none, type *skip*.
    .label = Other phone number
pengaduan-ringkasan = Please check your complaint:
pengaduan-ke_infrastruktur =
    Reports about roads, bridges, street lights, drains, rubbish, or fallen trees have their own service, so they go straight to the agency in charge.
    Please type *lapor infrastruktur* to start.
