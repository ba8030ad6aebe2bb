#include "screening/names/name_frequency.h"

#include "absl/container/flat_hash_set.h"

namespace centinela::screening {
namespace {

// Sources (membership in the commonest names, not counts):
//  - Peru: RENIEC, "Apellidos y nombres más frecuentes en el Perú"
//    (Registro Nacional de Identificación y Estado Civil, statistics
//    published on gob.pe from the national identity register, 2019-2023);
//    INEI, Censos Nacionales 2017.
//  - Latin America: the commonest surnames of Mexico (INEGI/RENAPO), Colombia
//    (Registraduría Nacional) and Bolivia (SEGIP) as published by their
//    registries; the Spanish patronymic surnames shared across the region.
//  - Given names most frequent among the individuals of the OFAC SDN list
//    (counted from ../shared/data/lists/ofac_sdn_2024-05.csv when this table was written) and the
//    commonest Arabic given names and name elements.
// Tokens are normalised (lower case, no accents), as NormalizeName writes them.
const absl::flat_hash_set<absl::string_view>& CommonNames() {
  static const auto* s = new absl::flat_hash_set<absl::string_view>{
      // Peruvian and Andean surnames.
      "quispe", "flores", "sanchez", "rodriguez", "garcia", "rojas", "huaman", "diaz", "mamani", "lopez", "torres",
      "ramos", "chavez", "vasquez", "mendoza", "gonzales", "castillo", "ramirez", "perez", "espinoza", "vargas",
      "fernandez", "gutierrez", "cruz", "condori", "ruiz", "romero", "salazar", "silva", "medina", "castro", "herrera",
      "cardenas", "alvarez", "morales", "aguilar", "mendez", "gomez", "martinez", "hernandez", "jimenez", "reyes",
      "ortiz", "gonzalez", "leon", "cordova", "zapata", "apaza", "ccama", "choque", "huanca", "mayta", "ticona",
      "yupanqui", "paredes", "valdivia", "palomino", "alvarado", "cabrera", "campos", "vega", "acosta", "paucar",
      "huamani", "ayala", "navarro", "carrasco", "delgado", "vilca", "coaquira", "cahuana", "pari", "ccahuana",
      "huillca", "inga", "yauri", "nina", "calla", "luque", "arias", "benites", "benitez", "lozano", "pinedo",
      "saavedra", "soto", "suarez", "tello", "vera", "villanueva", "zuniga", "marquez", "guerrero", "chuquimia",
      "limachi", "laura", "ancco", "huarcaya", "ore", "ponce", "rivera", "moreno", "nunez", "rios", "vilchez", "lazo",
      "miranda", "rosales", "salas", "tapia", "aguirre", "cueva", "davila", "escobar", "farfan", "guevara", "ibarra",
      "lara", "llanos", "montes", "munoz", "ochoa", "pacheco", "quiroz", "rivas", "solis", "valencia", "velasquez",
      "zevallos",
      // Peruvian and Latin American given names.
      "jose", "juan", "luis", "carlos", "jorge", "miguel", "victor", "cesar", "pedro", "manuel", "julio", "raul",
      "ricardo", "fernando", "alberto", "walter", "edgar", "javier", "roberto", "oscar", "hugo", "wilber", "elmer",
      "percy", "segundo", "alejandro", "daniel", "diego", "eduardo", "santos", "francisco", "antonio", "martin",
      "angel", "alfredo", "felix", "jesus", "david", "mario", "enrique", "rafael", "jaime", "marco", "ivan", "maria",
      "rosa", "carmen", "ana", "luz", "juana", "elena", "teresa", "gloria", "silvia", "patricia", "milagros", "yolanda",
      "norma", "nelly", "flor", "sonia", "gladys", "lucia", "veronica", "karina", "roxana", "maribel", "sandra",
      "isabel", "margarita", "julia", "elizabeth", "martha", "marta", "angela", "andrea", "del", "pilar",
      // Given names and name elements commonest on sanctions lists and in
      // the Arabic-speaking world.
      "muhammad", "mohammad", "mohammed", "mohamed", "muhammed", "ahmad", "ahmed", "ali", "hassan", "hasan", "husain",
      "hussein", "hussain", "abdul", "abd", "abdullah", "abdallah", "abu", "omar", "umar", "khalid", "mahmoud",
      "mahmud", "ibrahim", "ismail", "yusuf", "youssef", "mustafa", "said", "saeed", "salem", "salim", "abdel", "karim",
      "rahman", "aziz", "hamid", "nasser", "kamal", "jamal",
      // Other frequent given names on the lists.
      "john", "michael", "alexander", "aleksandr", "sergei", "sergey", "vladimir", "andrei", "andrey", "dmitry",
      "dmitriy", "nikolai", "nikolay", "igor", "oleg", "mikhail", "viktor", "pavel", "alexey", "aleksey", "reza",
      "hossein", "mohamad", "vladimirovich", "aleksandrovich", "viktorovich", "ivanovich", "nikolayevich",
      "nikolaevich", "sergeyevich", "kim", "lee", "wang", "li", "zhang", "chen", "liu"};
  return *s;
}

}  // namespace

bool IsCommonName(absl::string_view token) { return CommonNames().contains(token); }

float FrequencyWeight(absl::string_view token) { return IsCommonName(token) ? kCommonNameWeight : 1.0f; }

}  // namespace centinela::screening
